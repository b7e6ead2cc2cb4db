// End-to-end tests of the consumer endpoints of containers and secrets
// against the private test stack: registration (idempotent, reviving a
// removed consumer), removal and its 403/404 rules, listing, reading one
// consumer, and the consumers quota under concurrent registrations.

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
using boost::json::object;

TestStack& stack() { return TestStack::get(); }

HttpResponse send(const std::string& method, const std::string& target, const Headers& headers = {},
                  const std::string& body = {}) {
    return stack().client().request(method, target, headers, body);
}

std::string sql(const std::string& statement) { return stack().sql(statement); }

std::string createContainer(const Headers& who) {
    const HttpResponse response =
        send("POST", "/v1/containers", withJson(who), R"({"type": "generic", "name": "consumed"})");
    INFO(response.body);
    REQUIRE(response.status == 201);
    return idOf(std::string(response.json().at("container_ref").as_string()));
}

std::string createSecret(const Headers& who) {
    return idOf(createTextSecret(stack().client(), who, "consumer-test-value", "consumed"));
}

std::string containerConsumer(const std::string& name, const std::string& url) {
    return boost::json::serialize(object{{"name", name}, {"URL", url}});
}

std::string secretConsumer(const std::string& service, const std::string& type, const std::string& id) {
    return boost::json::serialize(object{{"service", service}, {"resource_type", type}, {"resource_id", id}});
}

// Gives `user` read access to the container through its ACL. The row is
// written directly because the ACL endpoints are tested elsewhere.
void grantContainerRead(const std::string& container_id, const std::string& user) {
    sql("INSERT INTO container_acls (container_id, project_access, users, created_at, updated_at) VALUES ('" +
        container_id + "', true, ARRAY['" + user + "'], now(), now())");
}

void grantSecretRead(const std::string& secret_id, const std::string& user) {
    sql("INSERT INTO secret_acls (secret_id, project_access, users, created_at, updated_at) VALUES ('" + secret_id +
        "', true, ARRAY['" + user + "'], now(), now())");
}

std::string descriptionOf(const HttpResponse& response) {
    const boost::json::value body = response.json();
    const auto* description = body.is_object() ? body.as_object().if_contains("description") : nullptr;
    return description && description->is_string() ? std::string(description->as_string()) : std::string();
}

std::string liveContainerConsumers(const std::string& container_id) {
    return sql("SELECT count(*) FROM container_consumers WHERE container_id = '" + container_id + "' AND NOT deleted");
}

}  // namespace

TEST_CASE("container consumers register twice", "[e2e][consumers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::string id = createContainer(who);
    const std::string path = "/v1/containers/" + id + "/consumers";
    sql("UPDATE containers SET updated_at = '2020-01-01' WHERE id = '" + id + "'");

    const HttpResponse first = send("POST", path, withJson(who), containerConsumer("lb", "http://lb/1"));
    INFO(first.body);
    REQUIRE(first.status == 200);
    CHECK(first.header("location") == stack().baseUrl() + path);
    const object body = first.json().as_object();
    CHECK(body.at("container_ref").as_string() == stack().baseUrl() + "/v1/containers/" + id);
    REQUIRE(body.at("consumers").as_array().size() == 1);
    CHECK(body.at("consumers").at(0).at("name") == "lb");
    CHECK(body.at("consumers").at(0).at("URL") == "http://lb/1");
    CHECK(body.at("updated").as_string() != "2020-01-01T00:00:00");
    CHECK(sql("SELECT updated_at > '2020-01-01' FROM containers WHERE id = '" + id + "'") == "t");
    CHECK(sql("SELECT project_id FROM container_consumers WHERE container_id = '" + id + "'") == project);

    const HttpResponse second = send("POST", path, withJson(who), containerConsumer("lb", "http://lb/1"));
    CHECK(second.status == 200);
    CHECK(second.json().at("consumers").as_array().size() == 1);
    CHECK(sql("SELECT count(*) FROM container_consumers WHERE container_id = '" + id + "'") == "1");

    const HttpResponse read = send("GET", "/v1/containers/" + id, who);
    REQUIRE(read.status == 200);
    CHECK(read.json().at("consumers").as_array().size() == 1);
}

TEST_CASE("container consumers remove and revive", "[e2e][consumers]") {
    const Headers who = identity(newProjectId(), "admin", "u-1");
    const std::string id = createContainer(who);
    const std::string path = "/v1/containers/" + id + "/consumers";
    const std::string body = containerConsumer("lb", "http://lb/1");
    REQUIRE(send("POST", path, withJson(who), body).status == 200);
    REQUIRE(send("POST", path, withJson(who), containerConsumer("db", "http://db")).status == 200);
    const std::string row_id = sql("SELECT id FROM container_consumers WHERE container_id = '" + id + "' AND name = 'lb'");

    const HttpResponse removed = send("DELETE", path, withJson(who), body);
    INFO(removed.body);
    REQUIRE(removed.status == 200);
    REQUIRE(removed.json().at("consumers").as_array().size() == 1);
    CHECK(removed.json().at("consumers").at(0).at("name") == "db");
    CHECK(sql("SELECT deleted FROM container_consumers WHERE id = '" + row_id + "'") == "t");

    const HttpResponse again = send("DELETE", path, withJson(who), body);
    CHECK(again.status == 404);
    CHECK(descriptionOf(again) == "Consumer not found.");
    CHECK(send("DELETE", path, who, body).status == 415);

    REQUIRE(send("POST", path, withJson(who), body).status == 200);
    CHECK(sql("SELECT count(*) FROM container_consumers WHERE container_id = '" + id + "' AND name = 'lb'") == "1");
    CHECK(sql("SELECT deleted FROM container_consumers WHERE id = '" + row_id + "'") == "f");
    CHECK(liveContainerConsumers(id) == "2");
}

TEST_CASE("container consumers list by name", "[e2e][consumers]") {
    const Headers who = identity(newProjectId(), "creator", "u-1");
    const std::string id = createContainer(who);
    const std::string path = "/v1/containers/" + id + "/consumers";
    for (const std::string name : {"charlie", "alpha", "bravo"})
        REQUIRE(send("POST", path, withJson(who), containerConsumer(name, "http://" + name)).status == 200);

    const HttpResponse page = send("GET", path + "?limit=2", who);
    INFO(page.body);
    REQUIRE(page.status == 200);
    const boost::json::value page_body = page.json();
    const auto& consumers = page_body.at("consumers").as_array();
    REQUIRE(consumers.size() == 2);
    CHECK(consumers[0].at("name") == "alpha");
    CHECK(consumers[0].at("URL") == "http://alpha");
    CHECK(consumers[0].at("status") == "ACTIVE");
    CHECK(consumers[0].at("created").is_string());
    CHECK(consumers[0].at("updated").is_string());
    CHECK(consumers[1].at("name") == "bravo");
    CHECK(page.json().at("total") == 3);
    CHECK(page.json().at("next").as_string() == stack().baseUrl() + path + "?limit=2&offset=2");

    const HttpResponse last = send("GET", path + "?limit=2&offset=2", who);
    REQUIRE(last.status == 200);
    REQUIRE(last.json().at("consumers").as_array().size() == 1);
    CHECK(last.json().at("consumers").at(0).at("name") == "charlie");
    CHECK(last.json().at("previous").as_string() == stack().baseUrl() + path + "?limit=2&offset=0");
}

TEST_CASE("container consumers invalid bodies", "[e2e][consumers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::string id = createContainer(who);
    const std::string path = "/v1/containers/" + id + "/consumers";
    const std::vector<std::string> bodies = {
        R"({"URL": "http://a"})",
        R"({"name": "a"})",
        R"({"name": "", "URL": "http://a"})",
        R"({"name": "a", "URL": ""})",
        R"({"name": ")" + std::string(37, 'n') + R"(", "URL": "http://a"})",
        R"({"name": "a", "URL": ")" + std::string(256, 'u') + R"("})",
        R"({"name": 1, "URL": "http://a"})",
        "not json",
    };
    for (const std::string& body : bodies) {
        CAPTURE(body);
        CHECK(send("POST", path, withJson(who), body).status == 400);
        CHECK(send("DELETE", path, withJson(who), body).status == 400);
    }
    CHECK(send("POST", path, who, containerConsumer("a", "http://a")).status == 415);
    CHECK(sql("SELECT count(*) FROM container_consumers WHERE container_id = '" + id + "'") == "0");
    CHECK(send("POST", "/v1/containers/" + core::newUuidV4() + "/consumers", withJson(who),
               containerConsumer("a", "http://a"))
              .status == 404);
}

TEST_CASE("container consumers cross project", "[e2e][consumers]") {
    const std::string owner_project = newProjectId();
    const Headers owner = identity(owner_project, "creator", "u-owner");
    const std::string id = createContainer(owner);
    const std::string path = "/v1/containers/" + id + "/consumers";
    REQUIRE(send("POST", path, withJson(owner), containerConsumer("lb", "http://lb")).status == 200);

    // Without an ACL another project is stopped by policy.
    const std::string service_project = newProjectId();
    const Headers service = identity(service_project, "observer", "u-service");
    CHECK(send("POST", path, withJson(service), containerConsumer("svc", "http://svc")).status == 403);

    grantContainerRead(id, "u-service");
    const HttpResponse registered = send("POST", path, withJson(service), containerConsumer("svc", "http://svc"));
    INFO(registered.body);
    REQUIRE(registered.status == 200);
    CHECK(sql("SELECT project_id FROM container_consumers WHERE container_id = '" + id + "' AND name = 'svc'") ==
          service_project);

    // The service project owns neither the owner's consumer nor the container.
    const HttpResponse forbidden = send("DELETE", path, withJson(service), containerConsumer("lb", "http://lb"));
    CHECK(forbidden.status == 403);
    CHECK(liveContainerConsumers(id) == "2");

    // A project the server never saw gets 404, even through the ACL.
    const HttpResponse unseen =
        send("DELETE", path, withJson(identity(newProjectId(), "observer", "u-service")), containerConsumer("lb", "http://lb"));
    CHECK(unseen.status == 404);
    CHECK(descriptionOf(unseen) == "Consumer not found.");

    // The container's project may remove any consumer, the service its own.
    CHECK(send("DELETE", path, withJson(owner), containerConsumer("svc", "http://svc")).status == 200);
    REQUIRE(send("POST", path, withJson(service), containerConsumer("svc", "http://svc")).status == 200);
    CHECK(send("DELETE", path, withJson(service), containerConsumer("svc", "http://svc")).status == 200);
    CHECK(liveContainerConsumers(id) == "1");
}

TEST_CASE("secret consumers register and remove", "[e2e][consumers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::string id = createSecret(who);
    const std::string path = "/v1/secrets/" + id + "/consumers";
    sql("UPDATE secrets SET updated_at = '2020-01-01' WHERE id = '" + id + "'");
    const std::string volume = secretConsumer("volume", "volume", "7d2c5b8e-1f4a-4c3b-9e6d-0a1b2c3d4e5f");

    // Microversion 1.0: the response carries consumers all the same.
    const HttpResponse first = send("POST", path, withJson(who), volume);
    INFO(first.body);
    REQUIRE(first.status == 200);
    CHECK(first.header("location") == stack().baseUrl() + path);
    const object body = first.json().as_object();
    CHECK(body.at("secret_ref").as_string() == stack().baseUrl() + "/v1/secrets/" + id);
    CHECK(body.at("name") == "consumed");
    CHECK(body.at("secret_type") == "opaque");
    CHECK(body.at("content_types").at("default") == "text/plain");
    CHECK(body.at("expiration").is_null());
    CHECK(body.at("creator_id") == "u-1");
    CHECK(body.at("updated").as_string() != "2020-01-01T00:00:00");
    REQUIRE(body.at("consumers").as_array().size() == 1);
    CHECK(body.at("consumers").at(0).at("service") == "volume");
    CHECK(body.at("consumers").at(0).at("resource_id") == "7d2c5b8e-1f4a-4c3b-9e6d-0a1b2c3d4e5f");

    REQUIRE(send("POST", path, withJson(who), volume).status == 200);
    REQUIRE(send("POST", path, withJson(who), secretConsumer("image", "image", "i-1")).status == 200);
    CHECK(sql("SELECT count(*) FROM secret_consumers WHERE secret_id = '" + id + "'") == "2");

    const HttpResponse list = send("GET", path, who);
    REQUIRE(list.status == 200);
    CHECK(list.json().at("total") == 2);
    CHECK(list.json().at("consumers").at(0).at("service") == "volume");
    CHECK(list.json().at("consumers").at(1).at("service") == "image");
    CHECK(list.json().at("consumers").at(0).at("status") == "ACTIVE");

    const HttpResponse removed = send("DELETE", path, withJson(who), volume);
    REQUIRE(removed.status == 200);
    REQUIRE(removed.json().at("consumers").as_array().size() == 1);
    CHECK(removed.json().at("consumers").at(0).at("service") == "image");
    const HttpResponse again = send("DELETE", path, withJson(who), volume);
    CHECK(again.status == 404);
    CHECK(descriptionOf(again) == "Consumer not found.");
    CHECK(sql("SELECT count(*) FROM secret_consumers WHERE secret_id = '" + id + "' AND NOT deleted") == "1");
}

TEST_CASE("secret consumers invalid bodies", "[e2e][consumers]") {
    const Headers who = identity(newProjectId(), "creator", "u-1");
    const std::string id = createSecret(who);
    const std::string path = "/v1/secrets/" + id + "/consumers";
    const std::vector<std::string> bodies = {
        secretConsumer("s", "t", std::string(37, 'i')),
        secretConsumer("", "t", "i"),
        secretConsumer("s", "", "i"),
        secretConsumer("s", "t", ""),
        secretConsumer(std::string(256, 's'), "t", "i"),
        R"({"service": "s", "resource_type": "t"})",
    };
    for (const std::string& body : bodies) {
        CAPTURE(body);
        CHECK(send("POST", path, withJson(who), body).status == 400);
    }
    CHECK(send("POST", path, who, secretConsumer("s", "t", "i")).status == 415);
    CHECK(sql("SELECT count(*) FROM secret_consumers WHERE secret_id = '" + id + "'") == "0");

    const HttpResponse malformed = send("GET", "/v1/secrets/not-a-uuid/consumers", who);
    CHECK(malformed.status == 404);
    CHECK(descriptionOf(malformed) == "Not Found. Provided secret id is invalid.");
    const HttpResponse unknown = send("GET", "/v1/secrets/" + core::newUuidV4() + "/consumers", who);
    CHECK(unknown.status == 404);
    CHECK(descriptionOf(unknown) == "Secret not found.");
}

TEST_CASE("secret consumers removal forbidden", "[e2e][consumers]") {
    const Headers owner = identity(newProjectId(), "creator", "u-owner");
    const std::string id = createSecret(owner);
    const std::string path = "/v1/secrets/" + id + "/consumers";
    const std::string volume = secretConsumer("volume", "volume", "v-1");
    REQUIRE(send("POST", path, withJson(owner), volume).status == 200);

    const std::string other_project = newProjectId();
    const Headers other = identity(other_project, "observer", "u-other");
    CHECK(send("DELETE", path, withJson(other), volume).status == 403);  // policy: no ACL yet
    grantSecretRead(id, "u-other");
    const HttpResponse unseen = send("DELETE", path, withJson(other), volume);
    CHECK(unseen.status == 404);
    CHECK(descriptionOf(unseen) == "Consumer not found.");

    // Once the project exists it owns neither the consumer nor the secret.
    createSecret(identity(other_project, "creator", "u-other"));
    const HttpResponse forbidden = send("DELETE", path, withJson(other), volume);
    CHECK(forbidden.status == 403);
    CHECK(sql("SELECT deleted FROM secret_consumers WHERE secret_id = '" + id + "'") == "f");
}

TEST_CASE("consumer get by id", "[e2e][consumers]") {
    const Headers who = identity(newProjectId(), "creator", "u-1");
    const std::string container = createContainer(who);
    const std::string other_container = createContainer(who);
    const std::string secret = createSecret(who);
    REQUIRE(send("POST", "/v1/containers/" + container + "/consumers", withJson(who), containerConsumer("lb", "http://lb"))
                .status == 200);
    REQUIRE(send("POST", "/v1/secrets/" + secret + "/consumers", withJson(who), secretConsumer("s", "t", "r")).status ==
            200);
    const std::string container_consumer =
        sql("SELECT id FROM container_consumers WHERE container_id = '" + container + "'");
    const std::string secret_consumer = sql("SELECT id FROM secret_consumers WHERE secret_id = '" + secret + "'");

    const HttpResponse found = send("GET", "/v1/containers/" + container + "/consumers/" + container_consumer, who);
    INFO(found.body);
    REQUIRE(found.status == 200);
    CHECK(found.json().at("name") == "lb");
    CHECK(found.json().at("URL") == "http://lb");

    const HttpResponse found_secret = send("GET", "/v1/secrets/" + secret + "/consumers/" + secret_consumer, who);
    REQUIRE(found_secret.status == 200);
    CHECK(found_secret.json().at("service") == "s");

    const HttpResponse wrong_parent =
        send("GET", "/v1/containers/" + other_container + "/consumers/" + container_consumer, who);
    CHECK(wrong_parent.status == 404);
    CHECK(descriptionOf(wrong_parent) == "Consumer not found.");
    CHECK(send("GET", "/v1/secrets/" + secret + "/consumers/" + container_consumer, who).status == 404);
    const HttpResponse malformed = send("GET", "/v1/containers/" + container + "/consumers/xyz", who);
    CHECK(malformed.status == 404);
    CHECK(descriptionOf(malformed) == "Not Found. Provided consumer id is invalid.");
}

TEST_CASE("consumers quota race", "[e2e][consumers]") {
    constexpr int kQuota = 3;
    constexpr int kRequests = 4 * kQuota;
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::string container = createContainer(who);
    sql("INSERT INTO project_quotas (project_id, consumers, created_at, updated_at) VALUES ('" + project + "', " +
        std::to_string(kQuota) + ", now(), now())");

    std::atomic<int> registered{0};
    std::atomic<int> refused{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kRequests; ++i) {
        threads.emplace_back([&, i] {
            const std::string name = "race-" + std::to_string(i);
            const HttpResponse response = send("POST", "/v1/containers/" + container + "/consumers", withJson(who),
                                               containerConsumer(name, "http://" + name));
            if (response.status == 200) ++registered;
            else if (response.status == 403 && response.body.find("quota") != std::string::npos) ++refused;
            else ++other;
        });
    }
    for (std::thread& thread : threads) thread.join();

    CHECK(registered == kQuota);
    CHECK(refused == kRequests - kQuota);
    CHECK(other == 0);
    CHECK(liveContainerConsumers(container) == std::to_string(kQuota));

    // Secret consumers count against the same quota, and the quota is checked
    // even for a consumer that already exists.
    const std::string secret = createSecret(identity(project, "creator", "u-1"));
    CHECK(send("POST", "/v1/secrets/" + secret + "/consumers", withJson(who), secretConsumer("s", "t", "r")).status ==
          403);
    const std::string existing = sql("SELECT name FROM container_consumers WHERE container_id = '" + container +
                                     "' AND NOT deleted LIMIT 1");
    CHECK(send("POST", "/v1/containers/" + container + "/consumers", withJson(who),
               containerConsumer(existing, "http://" + existing))
              .status == 403);
}
