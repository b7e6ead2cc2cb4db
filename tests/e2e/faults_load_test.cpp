// Faults under load: wrk (tests/faults/load.lua) posts secrets, reads
// secrets created before, and in one case posts key orders, through nginx
// while the test kills workers, restarts or pauses PostgreSQL, or restarts
// Redis. Afterwards every acknowledged secret must read back with its
// bytes, the database must hold no write beyond those the fault could hide,
// and the service must serve a burst of requests again.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/base64.h"
#include "core/crypto.h"
#include "tests/support/api.h"
#include "tests/support/stack.h"
#include "tests/support/wrk_load.h"

using namespace testsupport;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kReadSecrets = 20;
// Requests in a row that must all succeed after a fault.
constexpr int kRecoveryBurst = 40;
constexpr auto kRecoveryLimit = std::chrono::seconds(20);
constexpr auto kOrderLimit = std::chrono::seconds(60);

// Runs `action` when the scope ends, so a failed check mid-fault still
// resumes or restarts what the test stopped.
class ScopeExit {
public:
    explicit ScopeExit(std::function<void()> action) : action_(std::move(action)) {}
    ~ScopeExit() {
        if (action_) action_();
    }
    void dismiss() { action_ = nullptr; }
    ScopeExit(const ScopeExit&) = delete;
    ScopeExit& operator=(const ScopeExit&) = delete;

private:
    std::function<void()> action_;
};

std::vector<int> pidsOf(const std::string& pgrep_output) {
    std::vector<int> pids;
    std::istringstream lines(pgrep_output);
    int pid = 0;
    while (lines >> pid) pids.push_back(pid);
    return pids;
}

int pidFromFile(const std::string& path) {
    std::ifstream in(path);
    int pid = 0;
    in >> pid;
    return pid;
}

std::vector<int> workerPids(const TestStack& stack) {
    const int master = pidFromFile(stack.dir() + "/run/barbican-fcgi.pid");
    return pidsOf(runCommand("pgrep -P " + std::to_string(master)));
}

// A project with kReadSecrets secrets whose payloads are printable, for the
// load to read back.
struct LoadProject {
    std::string id;
    Headers who;
    std::vector<std::pair<std::string, std::string>> reads;  // (secret id, payload)
};

LoadProject makeLoadProject(const TestStack& stack) {
    LoadProject project;
    project.id = newProjectId();
    project.who = identity(project.id, "admin", "fault-test");
    const HttpClient client = stack.client();
    for (int i = 0; i < kReadSecrets; ++i) {
        std::string payload = "read-" + core::newUuidV4();
        const std::string body = R"({"payload": ")" + core::base64Encode(payload) +
                                 R"(", "payload_content_type": "application/octet-stream", )"
                                 R"("payload_content_encoding": "base64"})";
        const HttpResponse response = client.request("POST", "/v1/secrets", withJson(project.who), body);
        REQUIRE(response.status == 201);
        project.reads.emplace_back(idOf(std::string(response.json().at("secret_ref").as_string())), payload);
    }
    return project;
}

WrkLoadOptions loadOptions(const LoadProject& project, int seconds) {
    WrkLoadOptions options;
    options.project = project.id;
    options.reads = project.reads;
    options.seconds = seconds;
    return options;
}

void sleepUntil(Clock::time_point start, std::chrono::milliseconds offset) {
    std::this_thread::sleep_until(start + offset);
}

long long wallClockMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Wall-clock times (ms since the epoch) at which the fault began and ended,
// comparable with the failure times that load.lua records.
struct FaultWindow {
    long long began_ms = 0;
    long long ended_ms = 0;
};

// "failures +A..+B ms, fault +0..+C ms", relative to the fault's start.
std::string describeTimeline(const WrkLoadResult& result, const FaultWindow& fault) {
    std::ostringstream text;
    if (result.last_failure_ms == 0) {
        text << "failures none";
    } else {
        text << "failures +" << result.first_failure_ms - fault.began_ms << "..+"
             << result.last_failure_ms - fault.began_ms << " ms";
    }
    text << ", fault +0..+" << fault.ended_ms - fault.began_ms << " ms";
    return text.str();
}

std::string joined(const std::vector<std::string>& items, size_t limit = 10) {
    std::string text;
    for (size_t i = 0; i < items.size() && i < limit; ++i) text += (i ? " " : "") + items[i];
    if (items.size() > limit) text += " ...";
    return text;
}

// Every response has an allowed status and, for 5xx, a JSON body. Besides
// each kind's success, a fault may cause 502 (nginx, when a worker died
// mid-request) and 503 (the database or Redis is unavailable).
void checkAnswers(const WrkLoadResult& result, bool socket_errors_allowed) {
    INFO(result.summary());
    CHECK(result.requests > 0);
    CHECK(result.count("secret", 201) > 0);
    CHECK(result.countOther("read", {200, 502, 503}) == 0);
    CHECK(result.countOther("secret", {201, 502, 503}) == 0);
    CHECK(result.countOther("order", {202, 502, 503}) == 0);
    CHECK(result.countOther("unknown", {}) == 0);
    CHECK(result.count("", 500) == 0);
    CHECK(result.bad_error_bodies == 0);
    CHECK(result.missing_refs == 0);
    CHECK(result.read_mismatches == 0);
    if (!socket_errors_allowed) {
        CHECK(result.socketErrors() == 0);
        CHECK(result.lostOf("read") + result.lostOf("secret") + result.lostOf("order") == 0);
    }
}

// GETs the payload of every secret whose POST returned 201, four requests at
// a time, and returns the ids whose bytes differ or whose GET failed.
std::vector<std::string> unreadableSecrets(const TestStack& stack, const LoadProject& project,
                                           const WrkLoadResult& result) {
    constexpr size_t kClients = 4;
    std::vector<std::vector<std::string>> failures(kClients);
    std::vector<std::thread> clients;
    Headers headers = project.who;
    headers.emplace_back("Accept", "application/octet-stream");
    for (size_t c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
            const HttpClient client = stack.client();
            for (size_t i = c; i < result.secrets.size(); i += kClients) {
                const auto& [id, payload] = result.secrets[i];
                const HttpResponse response = client.request("GET", "/v1/secrets/" + id + "/payload", headers);
                if (response.status != 200 || core::base64Encode(response.body) != payload) failures[c].push_back(id);
            }
        });
    }
    for (auto& client : clients) client.join();
    std::vector<std::string> all;
    for (const auto& list : failures) all.insert(all.end(), list.begin(), list.end());
    return all;
}

// Ids of the rows of `query` (first column) that are not in `known`;
// `rows` gets the number of rows when not null.
std::vector<std::string> unknownIds(const TestStack& stack, const std::string& query,
                                    const std::set<std::string>& known, long* rows = nullptr) {
    std::vector<std::string> unknown;
    std::istringstream lines(stack.sql(query));
    std::string line;
    long count = 0;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        ++count;
        const std::string id = line.substr(0, line.find('|'));
        if (!known.count(id)) unknown.push_back(id);
    }
    if (rows) *rows = count;
    return unknown;
}

// Checks that the database contains the acknowledged secrets, at most one
// more row per request whose response was lost or was a 5xx, and no secret
// without its ciphertext. Returns the number of rows whose response was lost.
long checkStoredSecrets(const TestStack& stack, const LoadProject& project, const WrkLoadResult& result) {
    std::set<std::string> known;
    for (const auto& [id, payload] : project.reads) known.insert(id);
    for (const auto& [id, payload] : result.secrets) known.insert(id);
    const std::string in_project = "project_id = '" + project.id + "'";
    // Secrets that orders generated are not the load's writes.
    const std::string query = "SELECT id FROM secrets WHERE " + in_project +
                              " AND id NOT IN (SELECT secret_id FROM orders WHERE " + in_project +
                              " AND secret_id IS NOT NULL)";
    long rows = 0;
    const std::vector<std::string> unknown = unknownIds(stack, query, known, &rows);
    const long unanswered =
        result.lostOf("secret") + result.unansweredOf("secret") + result.countRange("secret", 500, 599);
    INFO("rows " << rows << ", unknown ids: " << joined(unknown));
    CHECK(rows >= static_cast<long>(known.size()));
    CHECK(static_cast<long>(unknown.size()) <= unanswered);
    CHECK(stack.sql("SELECT count(*) FROM secrets WHERE " + in_project +
                    " AND (ciphertext IS NULL OR content_type IS NULL OR length(ciphertext) = 0)") == "0");
    return static_cast<long>(unknown.size());
}

// Polls until kRecoveryBurst GETs in a row return 200, up to kRecoveryLimit.
// Returns the milliseconds that took, or -1.
long recoveryMilliseconds(const TestStack& stack, const LoadProject& project) {
    const HttpClient client = stack.client(10);
    const std::string path = "/v1/secrets/" + project.reads.front().first;
    const auto start = Clock::now();
    int in_a_row = 0;
    while (Clock::now() - start < kRecoveryLimit) {
        if (client.request("GET", path, project.who).status == 200) {
            if (++in_a_row == kRecoveryBurst) {
                return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
            }
        } else {
            in_a_row = 0;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    return -1;
}

// The checks after every fault, with the counts printed once.
void checkAfterFault(const std::string& fault, const TestStack& stack, const LoadProject& project,
                     const WrkLoadResult& result, const FaultWindow& window, bool socket_errors_allowed) {
    const std::string timeline = describeTimeline(result, window);
    INFO(fault << ": " << result.summary() << ", " << timeline);
    checkAnswers(result, socket_errors_allowed);
    // Under load the failures stop within the recovery limit once the fault ends.
    CHECK(result.last_failure_ms - window.ended_ms < std::chrono::milliseconds(kRecoveryLimit).count());
    const long recovery_ms = recoveryMilliseconds(stack, project);
    CHECK(recovery_ms >= 0);
    const std::vector<std::string> unreadable = unreadableSecrets(stack, project, result);
    INFO("unreadable secrets: " << joined(unreadable));
    CHECK(unreadable.empty());
    const long lost_answers = checkStoredSecrets(stack, project, result);
    std::cout << "faults under load, " << fault << ": " << result.summary() << " lost_answers_in_db=" << lost_answers
              << " recovery_ms=" << recovery_ms << "; " << timeline << std::endl;
}

}  // namespace

TEST_CASE("wrk load survives worker kills", "[e2e][faults][load]") {
    auto& stack = TestStack::get();
    const LoadProject project = makeLoadProject(stack);
    const size_t worker_count = workerPids(stack).size();
    WrkLoad load(stack, loadOptions(project, 8));
    const auto start = Clock::now();
    FaultWindow window;
    for (const auto offset : {std::chrono::milliseconds(2000), std::chrono::milliseconds(5000)}) {
        sleepUntil(start, offset);
        const std::vector<int> workers = workerPids(stack);
        REQUIRE(workers.size() >= 2);
        if (window.began_ms == 0) window.began_ms = wallClockMs();
        CHECK(::kill(workers[0], SIGKILL) == 0);
        CHECK(::kill(workers[1], SIGKILL) == 0);
        window.ended_ms = wallClockMs();
    }
    const WrkLoadResult result = load.wait();
    checkAfterFault("worker kills", stack, project, result, window, true);
    // The master replaced every killed worker.
    CHECK(workerPids(stack).size() == worker_count);
}

TEST_CASE("wrk load survives database restart", "[e2e][faults][load]") {
    auto& stack = TestStack::get();
    const LoadProject project = makeLoadProject(stack);
    WrkLoad load(stack, loadOptions(project, 9));
    const auto start = Clock::now();
    sleepUntil(start, std::chrono::milliseconds(2000));
    FaultWindow window;
    window.began_ms = wallClockMs();
    ScopeExit restart([&] { stack.stackCommand("start-one", "pg"); });
    REQUIRE(stack.stackCommand("stop-one", "pg") == 0);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    restart.dismiss();
    REQUIRE(stack.stackCommand("start-one", "pg") == 0);
    window.ended_ms = wallClockMs();
    const WrkLoadResult result = load.wait();
    CHECK(result.count("", 503) > 0);
    checkAfterFault("database restart", stack, project, result, window, false);
}

TEST_CASE("wrk load survives paused database", "[e2e][faults][load]") {
    auto& stack = TestStack::get();
    const LoadProject project = makeLoadProject(stack);
    WrkLoadOptions options = loadOptions(project, 12);
    WrkLoad load(stack, options);
    const auto start = Clock::now();
    sleepUntil(start, std::chrono::milliseconds(1500));

    // Stopping the postmaster and every backend makes queries hang, as on a
    // frozen database host. A stopped server cannot apply statement_timeout
    // (5 s), so the worker's watchdog closes the connection 2 s after it.
    const int postmaster = pidFromFile(stack.dir() + "/pg/data/postmaster.pid");
    REQUIRE(postmaster > 0);
    const std::string pids =
        std::to_string(postmaster) + " " + runCommand("pgrep -P " + std::to_string(postmaster) + " | tr '\\n' ' '");
    FaultWindow window;
    window.began_ms = wallClockMs();
    ScopeExit resume([&] { std::system(("kill -CONT " + pids).c_str()); });
    REQUIRE(std::system(("kill -STOP " + pids).c_str()) == 0);
    std::this_thread::sleep_for(std::chrono::seconds(8));
    resume.dismiss();
    REQUIRE(std::system(("kill -CONT " + pids).c_str()) == 0);
    window.ended_ms = wallClockMs();

    const WrkLoadResult result = load.wait();
    INFO(result.summary());
    CHECK(result.count("", 503) > 0);
    // The watchdog fires after 7 s. The 15 s limit leaves room for a loaded machine.
    CHECK(result.latency_max_us < 15'000'000);
    CHECK(result.socketErrorsOf("timeout") == 0);
    checkAfterFault("paused database", stack, project, result, window, false);
}

TEST_CASE("wrk load survives redis restart", "[e2e][faults][load]") {
    auto& stack = TestStack::get();
    const LoadProject project = makeLoadProject(stack);
    WrkLoadOptions options = loadOptions(project, 8);
    options.order_percent = 20;
    WrkLoad load(stack, options);
    const auto start = Clock::now();
    sleepUntil(start, std::chrono::milliseconds(2000));
    FaultWindow window;
    window.began_ms = wallClockMs();
    ScopeExit restart([&] { stack.stackCommand("start-one", "redis"); });
    REQUIRE(stack.stackCommand("stop-one", "redis") == 0);
    restart.dismiss();
    REQUIRE(stack.stackCommand("start-one", "redis") == 0);
    window.ended_ms = wallClockMs();
    const WrkLoadResult result = load.wait();
    CHECK(result.count("order", 202) > 0);
    checkAfterFault("redis restart", stack, project, result, window, false);

    // Orders whose queue push failed while Redis was down wait for the
    // job-runner's sweep: every runner.sweep_interval_seconds (30 s by
    // default) for orders older than sweep_min_age_seconds (10 s).
    std::set<std::string> accepted(result.orders.begin(), result.orders.end());
    const std::string in_project = "project_id = '" + project.id + "'";
    const auto waited_from = Clock::now();
    std::vector<std::string> not_active;
    const std::string not_active_query = "SELECT id FROM orders WHERE " + in_project + " AND status <> 'ACTIVE'";
    do {
        not_active.clear();
        for (const std::string& id : unknownIds(stack, not_active_query, {})) {
            if (accepted.count(id)) not_active.push_back(id);
        }
        if (not_active.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    } while (Clock::now() - waited_from < kOrderLimit);
    const auto waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - waited_from).count();
    INFO("orders not ACTIVE after " << waited_ms << " ms: " << not_active.size() << " (" << joined(not_active) << ")");
    CHECK(not_active.empty());

    long order_rows = 0;
    const std::vector<std::string> unknown_orders =
        unknownIds(stack, "SELECT id FROM orders WHERE " + in_project, accepted, &order_rows);
    INFO("order rows " << order_rows << ", unknown: " << joined(unknown_orders));
    CHECK(static_cast<long>(unknown_orders.size()) <=
          result.lostOf("order") + result.unansweredOf("order") + result.countRange("order", 500, 599));
    std::cout << "faults under load, redis restart: " << result.orders.size() << " orders ACTIVE after " << waited_ms
              << " ms, order rows without an answer " << unknown_orders.size() << std::endl;
}
