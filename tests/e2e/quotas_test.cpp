// End-to-end tests of /v1/quotas and /v1/project-quotas against the private
// test stack, and of quota enforcement under concurrent creates.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "tests/support/api.h"
#include "tests/support/stack.h"

namespace {

using namespace testsupport;

TestStack& stack() { return TestStack::get(); }

HttpResponse send(const std::string& method, const std::string& target, const Headers& headers = {},
                  const std::string& body = {}) {
    return stack().client().request(method, target, headers, body);
}

Headers withHeader(Headers base, const std::string& name, const std::string& value) {
    base.emplace_back(name, value);
    return base;
}

// A service admin of its own project, which manages every project's quotas.
Headers serviceAdmin() { return identity(newProjectId(), "key-manager:service-admin", "u-quota-admin"); }

HttpResponse putQuotas(const std::string& project, const std::string& body) {
    return send("PUT", "/v1/project-quotas/" + project, withJson(serviceAdmin()), body);
}

boost::json::value getQuotasOf(const std::string& project) {
    const HttpResponse response = send("GET", "/v1/project-quotas/" + project, serviceAdmin());
    INFO(response.body);
    REQUIRE(response.status == 200);
    return response.json();
}

std::string quotaRow(const std::string& project) {
    return stack().sql("SELECT secrets, orders, containers, consumers, cas FROM project_quotas WHERE project_id = '" +
                       project + "'");
}

}  // namespace

TEST_CASE("quotas defaults for project", "[e2e][quotas]") {
    const HttpResponse response = send("GET", "/v1/quotas", identity(newProjectId(), "audit", "u-1"));
    INFO(response.body);
    REQUIRE(response.status == 200);
    CHECK(response.json() == boost::json::parse(
                                 R"({"quotas": {"secrets": -1, "orders": -1, "containers": -1, "consumers": -1, "cas": -1}})"));

    // Any role reads them; no known role is denied.
    CHECK(send("GET", "/v1/quotas", identity(newProjectId(), "member", "u-1")).status == 403);
    CHECK(send("GET", "/v1/quotas", withHeader(identity(newProjectId(), "audit"), "Accept", "text/plain")).status ==
          406);
}

TEST_CASE("project quotas lifecycle", "[e2e][quotas]") {
    const std::string project = newProjectId();
    CHECK(send("GET", "/v1/project-quotas/" + project, serviceAdmin()).status == 404);

    // The first PUT creates the record; absent keys stay null.
    HttpResponse response = putQuotas(project, R"({"project_quotas": {"secrets": 10, "containers": 0}})");
    CHECK(response.status == 204);
    CHECK(response.body.empty());
    CHECK(quotaRow(project) == "10||0||");
    CHECK(getQuotasOf(project) ==
          boost::json::parse(
              R"({"project_quotas": {"secrets": 10, "orders": null, "containers": 0, "consumers": null, "cas": null}})"));

    // The project reads its values, and the defaults where it has none.
    response = send("GET", "/v1/quotas", identity(project, "observer", "u-1"));
    REQUIRE(response.status == 200);
    CHECK(response.json() == boost::json::parse(
                                 R"({"quotas": {"secrets": 10, "orders": -1, "containers": 0, "consumers": -1, "cas": -1}})"));

    // A later PUT changes only the keys it names.
    REQUIRE(putQuotas(project, R"({"project_quotas": {"orders": 3, "secrets": -5}})").status == 204);
    CHECK(quotaRow(project) == "-5|3|0||");
    REQUIRE(putQuotas(project, R"({"project_quotas": {}})").status == 204);
    CHECK(quotaRow(project) == "-5|3|0||");

    // DELETE removes the record; a second one finds nothing.
    response = send("DELETE", "/v1/project-quotas/" + project, serviceAdmin());
    CHECK(response.status == 204);
    CHECK(quotaRow(project).empty());
    response = send("DELETE", "/v1/project-quotas/" + project, serviceAdmin());
    CHECK(response.status == 404);
    CHECK(response.json().at("description") == "Project quotas not found.");
    CHECK(send("GET", "/v1/project-quotas/" + project, serviceAdmin()).status == 404);
}

TEST_CASE("project quotas invalid put", "[e2e][quotas]") {
    const std::string project = newProjectId();
    const std::vector<std::string> bodies = {
        R"({"project_quotas": {"secrets": null}})",
        R"({"project_quotas": {"secrets": "5"}})",
        R"({"project_quotas": {"secrets": 5.5}})",
        R"({"project_quotas": {"secrets": true}})",
        R"({"project_quotas": {"secrets": 2147483648}})",
        R"({"project_quotas": {"unknown": 1}})",
        R"({"project_quotas": {"secrets": 1}, "extra": 1})",
        R"({"project_quotas": null})",
        R"({})",
        "[]",
        "not json",
        "",
    };
    for (const std::string& body : bodies) {
        INFO(body);
        const HttpResponse response = putQuotas(project, body);
        CHECK(response.status == 400);
    }
    CHECK(quotaRow(project).empty());

    const HttpResponse response =
        send("PUT", "/v1/project-quotas/" + project, withHeader(serviceAdmin(), "Content-Type", "text/plain"),
             R"({"project_quotas": {"secrets": 1}})");
    CHECK(response.status == 415);
    CHECK(putQuotas(std::string(256, 'p'), R"({"project_quotas": {"secrets": 1}})").status == 400);
    CHECK(quotaRow(project).empty());
}

TEST_CASE("project quotas need service admin", "[e2e][quotas]") {
    const std::string project = newProjectId();
    const Headers admin = identity(project, "admin", "u-1");
    CHECK(send("PUT", "/v1/project-quotas/" + project, withJson(admin), R"({"project_quotas": {"secrets": 1}})")
              .status == 403);
    CHECK(quotaRow(project).empty());
    REQUIRE(putQuotas(project, R"({"project_quotas": {"secrets": 1}})").status == 204);
    CHECK(send("GET", "/v1/project-quotas/" + project, admin).status == 403);
    CHECK(send("GET", "/v1/project-quotas", admin).status == 403);
    CHECK(send("DELETE", "/v1/project-quotas/" + project, admin).status == 403);
    CHECK(quotaRow(project) == "1||||");
    CHECK(send("POST", "/v1/project-quotas/" + project, withJson(serviceAdmin()), "{}").status == 405);
}

TEST_CASE("project quotas list paging", "[e2e][quotas]") {
    // Three new records, the last three in creation order.
    std::vector<std::string> projects;
    for (int i = 0; i < 3; ++i) {
        projects.push_back(newProjectId());
        REQUIRE(putQuotas(projects.back(), "{\"project_quotas\": {\"secrets\": " + std::to_string(i) + "}}").status ==
                204);
    }
    HttpResponse response = send("GET", "/v1/project-quotas?limit=100", serviceAdmin());
    REQUIRE(response.status == 200);
    const std::int64_t total = response.json().at("total").as_int64();
    REQUIRE(total >= 3);

    const std::string base = stack().baseUrl() + "/v1/project-quotas";
    const std::int64_t offset = total - 2;
    response = send("GET", "/v1/project-quotas?limit=1&offset=" + std::to_string(offset), serviceAdmin());
    INFO(response.body);
    REQUIRE(response.status == 200);
    const boost::json::object body = response.json().as_object();
    CHECK(body.at("total") == total);
    REQUIRE(body.at("project_quotas").as_array().size() == 1);
    const boost::json::value& item = body.at("project_quotas").as_array()[0];
    CHECK(item.at("project_id") == projects[1].c_str());
    CHECK(item.at("project_quotas") ==
          boost::json::parse(R"({"secrets": 1, "orders": null, "containers": null, "consumers": null, "cas": null})"));
    CHECK(body.at("previous") == (base + "?limit=1&offset=" + std::to_string(offset - 1)).c_str());
    CHECK(body.at("next") == (base + "?limit=1&offset=" + std::to_string(offset + 1)).c_str());

    // An empty page past the end carries no links.
    response = send("GET", "/v1/project-quotas?offset=" + std::to_string(total + 5), serviceAdmin());
    REQUIRE(response.status == 200);
    CHECK(response.json() == boost::json::parse("{\"project_quotas\": [], \"total\": " + std::to_string(total) + "}"));

    for (const std::string& project : projects) send("DELETE", "/v1/project-quotas/" + project, serviceAdmin());
}

TEST_CASE("quota zero disables creation", "[e2e][quotas]") {
    const std::string project = newProjectId();
    REQUIRE(putQuotas(project, R"({"project_quotas": {"secrets": 0}})").status == 204);
    const HttpResponse response = send("POST", "/v1/secrets", withJson(identity(project, "creator", "u-1")),
                                       R"({"name": "over-quota"})");
    INFO(response.body);
    CHECK(response.status == 403);
    CHECK(response.body.find("quota") != std::string::npos);
    CHECK(stack().sql("SELECT count(*) FROM secrets WHERE project_id = '" + project + "'") == "0");
}

TEST_CASE("quota race concurrent creates", "[e2e][quotas]") {
    constexpr int kQuota = 5;
    constexpr int kRequests = 4 * kQuota;
    const std::string project = newProjectId();
    REQUIRE(putQuotas(project, "{\"project_quotas\": {\"secrets\": " + std::to_string(kQuota) + "}}").status == 204);

    std::atomic<int> created{0}, refused{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kRequests; ++i) {
        threads.emplace_back([&, i] {
            const HttpResponse response =
                send("POST", "/v1/secrets", withJson(identity(project, "creator", "u-" + std::to_string(i))),
                     R"({"name": "race", "payload": "race-value", "payload_content_type": "text/plain"})");
            if (response.status == 201) ++created;
            else if (response.status == 403) ++refused;
            else ++other;
        });
    }
    for (std::thread& thread : threads) thread.join();

    CHECK(created == kQuota);
    CHECK(refused == kRequests - kQuota);
    CHECK(other == 0);
    CHECK(stack().sql("SELECT count(*) FROM secrets WHERE project_id = '" + project + "' AND NOT deleted") ==
          std::to_string(kQuota));
}
