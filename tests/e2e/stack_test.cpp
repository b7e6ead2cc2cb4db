// The foundation through nginx: version documents, error bodies of the
// framework, and recovery from worker, PostgreSQL and Redis failures.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "tests/support/api.h"
#include "tests/support/stack.h"

using namespace testsupport;

namespace {

int fcgiMasterPid(const TestStack& stack) {
    std::ifstream in(stack.dir() + "/run/barbican-fcgi.pid");
    int pid = 0;
    in >> pid;
    return pid;
}

std::vector<int> workerPids(const TestStack& stack) {
    std::vector<int> pids;
    const std::string out = runCommand("pgrep -P " + std::to_string(fcgiMasterPid(stack)));
    size_t start = 0;
    while (start < out.size()) {
        const size_t end = out.find('\n', start);
        const std::string line = out.substr(start, end - start);
        if (!line.empty()) pids.push_back(std::stoi(line));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return pids;
}

// Polls `probe` every 100 ms until it returns true or `limit` passes.
template <typename Probe>
bool eventually(Probe probe, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (probe()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

int versionsStatus(const HttpClient& client) { return client.request("GET", "/v1", identity(newProjectId())).status; }

}  // namespace

TEST_CASE("root answers 300 with the version document", "[e2e][stack]") {
    auto& stack = TestStack::get();
    const auto response = stack.client().request("GET", "/");
    REQUIRE(response.status == 300);
    CHECK(response.header("content-type") == "application/json");
    CHECK(response.header("openstack-api-version") == "key-manager 1.0");
    const auto body = response.json();
    const auto& entry = body.at("versions").at("values").at(0);
    CHECK(entry.at("id") == "v1");
    CHECK(entry.at("status") == "stable");
    CHECK(std::string(entry.at("links").at(0).at("href").as_string()) == stack.baseUrl() + "/v1/");
}

TEST_CASE("root with microversion 1.1 lists versions", "[e2e][stack]") {
    auto& stack = TestStack::get();
    const auto response = stack.client().request("GET", "/", {{"OpenStack-API-Version", "key-manager 1.1"}});
    REQUIRE(response.status == 300);
    CHECK(response.header("openstack-api-version") == "key-manager 1.1");
    const auto body = response.json();
    const auto& entry = body.at("versions").at(0);
    CHECK(entry.at("status") == "CURRENT");
    CHECK(entry.at("max_version") == "1.2");
}

TEST_CASE("v1 document needs a project", "[e2e][stack]") {
    auto& stack = TestStack::get();
    const auto missing = stack.client().request("GET", "/v1");
    REQUIRE(missing.status == 400);
    CHECK(missing.json().at("description") == "Missing X-Project-Id");
    CHECK(missing.json().at("title") == "Bad Request");
    const auto ok = stack.client().request("GET", "/v1/", identity(newProjectId()));
    REQUIRE(ok.status == 200);
    CHECK(ok.json().at("version").at("id") == "v1");
}

TEST_CASE("microversion errors 400 and 406", "[e2e][stack]") {
    auto& stack = TestStack::get();
    const auto bad = stack.client().request("GET", "/v1", {{"X-Project-Id", "p"}, {"OpenStack-API-Version", "key-manager x.y"}});
    CHECK(bad.status == 400);
    CHECK(bad.json().at("code") == 400);
    const auto high = stack.client().request("GET", "/v1", {{"X-Project-Id", "p"}, {"OpenStack-API-Version", "key-manager 1.9"}});
    CHECK(high.status == 406);
    CHECK(high.json().at("code") == 406);
}

TEST_CASE("unknown path 404 and wrong method 405", "[e2e][stack]") {
    auto& stack = TestStack::get();
    const auto unknown = stack.client().request("GET", "/v1/nothing-here", identity(newProjectId()));
    REQUIRE(unknown.status == 404);
    CHECK(unknown.json().at("code") == 404);
    const auto wrong = stack.client().request("DELETE", "/", {});
    REQUIRE(wrong.status == 405);
    CHECK(wrong.header("allow") == "GET");
    CHECK(wrong.json().at("title") == "Method Not Allowed");
}

TEST_CASE("build query and json-home redirect", "[e2e][stack]") {
    auto& stack = TestStack::get();
    const auto build = stack.client().request("GET", "/?build");
    REQUIRE(build.status == 200);
    CHECK(build.json().at("build").is_string());
    const auto home = stack.client().request("GET", "/", {{"Accept", "application/json-home"}});
    CHECK(home.status == 302);
    CHECK(home.header("location") == stack.baseUrl() + "/v1/");
}

TEST_CASE("hrefs follow X-Forwarded-Proto", "[e2e][stack]") {
    auto& stack = TestStack::get();
    // nginx overwrites the client's X-Forwarded-Proto with its own scheme.
    const auto response = stack.client().request("GET", "/", {{"X-Forwarded-Proto", "https"}});
    REQUIRE(response.status == 300);
    CHECK(std::string(response.json().at("versions").at("values").at(0).at("links").at(0).at("href").as_string()) == stack.baseUrl() + "/v1/");
}

TEST_CASE("body over nginx limit answers 413 JSON", "[e2e][stack]") {
    auto& stack = TestStack::get();
    const std::string body(70 * 1024, 'a');
    const auto response = stack.client().request("POST", "/v1/secrets", withJson(identity(newProjectId())), body);
    REQUIRE(response.status == 413);
    CHECK(response.json().at("code") == 413);
}

TEST_CASE("request log line has route status and ids", "[e2e][stack]") {
    auto& stack = TestStack::get();
    const std::string project = newProjectId();
    const auto response = stack.client().request("GET", "/v1", identity(project));
    REQUIRE(response.status == 200);
    const std::string request_id = response.header("x-openstack-request-id");
    REQUIRE(request_id.rfind("req-", 0) == 0);
    REQUIRE(eventually([&] {
        const std::string logs = stack.allLogs();
        return logs.find("request_id=" + request_id) != std::string::npos;
    }));
    const std::string logs = stack.allLogs();
    const auto at = logs.find("request_id=" + request_id);
    const auto line_start = logs.rfind('\n', at) + 1;
    const std::string line = logs.substr(line_start, logs.find('\n', at) - line_start);
    CHECK(line.find("method=GET") != std::string::npos);
    CHECK(line.find("route=/v1") != std::string::npos);
    CHECK(line.find("status=200") != std::string::npos);
    CHECK(line.find("project_id=" + project) != std::string::npos);
    CHECK(line.find("duration_ms=") != std::string::npos);
}

TEST_CASE("killed worker is replaced", "[e2e][stack][faults]") {
    auto& stack = TestStack::get();
    const auto before = workerPids(stack);
    REQUIRE(before.size() >= 2);
    REQUIRE(::kill(before.front(), SIGKILL) == 0);
    REQUIRE(eventually([&] {
        const auto now = workerPids(stack);
        return now.size() == before.size() && std::find(now.begin(), now.end(), before.front()) == now.end();
    }));
    for (int i = 0; i < 20; ++i) CHECK(versionsStatus(stack.client()) == 200);
}

TEST_CASE("requests survive SIGHUP reload", "[e2e][stack][faults]") {
    auto& stack = TestStack::get();
    const auto before = workerPids(stack);
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::atomic<int> done{0};
    std::thread load([&] {
        const HttpClient client = stack.client();
        for (int i = 0; i < 5000 && !stop; ++i) {
            if (versionsStatus(client) != 200) ++failures;
            ++done;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    REQUIRE(::kill(fcgiMasterPid(stack), SIGHUP) == 0);
    const bool replaced = eventually([&] {
        const auto now = workerPids(stack);
        for (int pid : before) {
            if (std::find(now.begin(), now.end(), pid) != now.end()) return false;
        }
        return now.size() == before.size();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
    load.join();
    CHECK(replaced);
    CHECK(done > 0);
    CHECK(failures == 0);
}

TEST_CASE("health reports redis down and recovers", "[e2e][stack][faults]") {
    auto& stack = TestStack::get();
    REQUIRE(stack.client().request("GET", "/healthcheck").status == 200);
    REQUIRE(stack.stackCommand("stop-one", "redis") == 0);
    const auto down = stack.client().request("GET", "/healthcheck");
    CHECK(down.status == 503);
    CHECK(down.json().at("description").as_string().find("redis") != std::string::npos);
    REQUIRE(stack.stackCommand("start-one", "redis") == 0);
    CHECK(eventually([&] { return stack.client().request("GET", "/healthcheck").status == 200; }));
}

TEST_CASE("database restart gives 503 then recovers", "[e2e][stack][faults]") {
    auto& stack = TestStack::get();
    const auto workers_before = workerPids(stack);
    // Warm every worker's session.
    for (int i = 0; i < 20; ++i) stack.client().request("GET", "/healthcheck");
    REQUIRE(stack.stackCommand("stop-one", "pg") == 0);
    const auto down = stack.client().request("GET", "/healthcheck");
    CHECK(down.status == 503);
    CHECK(down.json().at("code") == 503);
    REQUIRE(stack.stackCommand("start-one", "pg") == 0);
    CHECK(eventually([&] {
        for (int i = 0; i < 8; ++i) {
            if (stack.client().request("GET", "/healthcheck").status != 200) return false;
        }
        return true;
    }));
    // Recovery needed no worker restart.
    CHECK(workerPids(stack) == workers_before);
}

TEST_CASE("paused database gives 503 in bounded time", "[e2e][stack][faults]") {
    auto& stack = TestStack::get();
    REQUIRE(stack.client().request("GET", "/healthcheck").status == 200);
    std::ifstream pid_file(stack.dir() + "/pg/data/postmaster.pid");
    int postmaster = 0;
    pid_file >> postmaster;
    REQUIRE(postmaster > 0);
    // Stopping the postmaster and every backend makes queries hang, as on a
    // frozen database host.
    const std::string pids =
        std::to_string(postmaster) + " " + runCommand("pgrep -P " + std::to_string(postmaster) + " | tr '\\n' ' '");
    REQUIRE(std::system(("kill -STOP " + pids).c_str()) == 0);
    const auto started = std::chrono::steady_clock::now();
    const auto paused = stack.client(60).request("GET", "/v1/secrets", identity(newProjectId()));
    const auto waited = std::chrono::steady_clock::now() - started;
    REQUIRE(std::system(("kill -CONT " + pids).c_str()) == 0);
    CHECK(paused.status == 503);
    CHECK(paused.json().at("code") == 503);
    // statement_timeout (5 s) plus the watchdog's 2 s margin, with slack.
    CHECK(waited < std::chrono::seconds(20));
    CHECK(eventually([&] { return stack.client().request("GET", "/v1/secrets", identity(newProjectId())).status == 200; }));
}
