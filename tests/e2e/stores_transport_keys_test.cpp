// End-to-end tests of /v1/secret-stores (multiple backends disabled) and
// /v1/transport_keys against the private test stack.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

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

constexpr const char* kDisabled = "Not Found. Multiple backends support is not enabled in service configuration.";
constexpr const char* kPem =
    "-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\\n-----END PUBLIC KEY-----";

Headers serviceAdmin() { return identity(newProjectId(), "key-manager:service-admin", "u-tk-admin"); }

std::string createKey(const std::string& plugin) {
    const HttpResponse response =
        send("POST", "/v1/transport_keys", withJson(serviceAdmin()),
             "{\"plugin_name\": \"" + plugin + "\", \"transport_key\": \"" + kPem + "\\n\"}");
    INFO(response.body);
    REQUIRE(response.status == 201);
    const std::string ref(response.json().at("transport_key_ref").as_string());
    CHECK(response.header("location") == ref);
    return ref;
}

std::vector<std::string> listedRefs(const HttpResponse& response) {
    std::vector<std::string> refs;
    const boost::json::value body = response.json();
    for (const auto& ref : body.at("transport_keys").as_array()) refs.emplace_back(ref.as_string());
    return refs;
}

}  // namespace

TEST_CASE("secret stores disabled", "[e2e][stores]") {
    const Headers admin = identity(newProjectId(), "admin", "u-1");
    for (const char* path : {"/v1/secret-stores", "/v1/secret-stores/", "/v1/secret-stores/global-default",
                             "/v1/secret-stores/preferred", "/v1/secret-stores/some-store",
                             "/v1/secret-stores/some-store/preferred", "/v1/secret-stores/some-store/other"}) {
        INFO(path);
        const HttpResponse response = send("GET", path, admin);
        CHECK(response.status == 404);
        CHECK(response.json().at("description") == kDisabled);
    }
    for (const char* method : {"POST", "DELETE"}) {
        INFO(method);
        const HttpResponse response = send(method, "/v1/secret-stores/some-store/preferred", admin);
        CHECK(response.status == 404);
        CHECK(response.json().at("description") == kDisabled);
    }
    CHECK(send("POST", "/v1/secret-stores", admin).status == 405);
}

TEST_CASE("secret stores policy order", "[e2e][stores]") {
    const Headers nobody = identity(newProjectId(), "member", "u-1");
    // The collection, global-default and preferred check the policy first.
    for (const char* path : {"/v1/secret-stores", "/v1/secret-stores/global-default", "/v1/secret-stores/preferred"}) {
        INFO(path);
        const HttpResponse response = send("GET", path, nobody);
        CHECK(response.status == 403);
        CHECK(send("GET", path, withHeader(identity(newProjectId(), "audit"), "Accept", "text/plain")).status == 406);
    }
    // A store id is 404 before any check.
    for (const char* path : {"/v1/secret-stores/some-store", "/v1/secret-stores/some-store/preferred"}) {
        INFO(path);
        CHECK(send("GET", path, nobody).status == 404);
        CHECK(send("GET", path, withHeader(nobody, "Accept", "text/plain")).status == 404);
    }
}

TEST_CASE("transport key lifecycle", "[e2e][transport_keys]") {
    const std::string plugin = "plugin-" + core::newUuidV4();
    const std::string ref = createKey(plugin);
    const std::string id = idOf(ref);
    CHECK(ref == stack().baseUrl() + "/v1/transport_keys/" + id);
    CHECK(stack().sql("SELECT plugin_name, status, deleted FROM transport_keys WHERE id = '" + id + "'") ==
          plugin + "|ACTIVE|f");

    // Any role reads it, with or without a JSON Accept.
    const Headers reader = identity(newProjectId(), "audit", "u-1");
    for (const char* accept : {"", "*/*", "application/json"}) {
        INFO(accept);
        const HttpResponse response = send("GET", pathOf(ref), *accept ? withHeader(reader, "Accept", accept) : reader);
        REQUIRE(response.status == 200);
        const boost::json::object body = response.json().as_object();
        CHECK(body.at("transport_key_ref") == ref.c_str());
        CHECK(body.at("plugin_name") == plugin.c_str());
        // Surrounding whitespace of the PEM text is stripped, as for every JSON string.
        CHECK(body.at("transport_key").as_string().ends_with("-----END PUBLIC KEY-----"));
        CHECK(body.at("status") == "ACTIVE");
        CHECK(body.at("created").is_string());
        CHECK(body.at("updated").is_string());
        CHECK(body.size() == 6);
    }
    CHECK(send("GET", pathOf(ref), withHeader(reader, "Accept", "text/plain")).status == 406);

    // Only a service admin deletes it; then it is gone.
    CHECK(send("DELETE", pathOf(ref), identity(newProjectId(), "admin", "u-1")).status == 403);
    HttpResponse response = send("DELETE", pathOf(ref), serviceAdmin());
    CHECK(response.status == 204);
    CHECK(stack().sql("SELECT deleted FROM transport_keys WHERE id = '" + id + "'") == "t");
    CHECK(send("GET", pathOf(ref), reader).status == 404);
    response = send("DELETE", pathOf(ref), serviceAdmin());
    CHECK(response.status == 404);
    CHECK(response.json().at("description") == "Not Found. Transport Key not found.");
}

TEST_CASE("transport key list filter paging", "[e2e][transport_keys]") {
    const std::string plugin = "plugin-" + core::newUuidV4();
    std::vector<std::string> refs;
    for (int i = 0; i < 3; ++i) refs.push_back(createKey(plugin));
    const std::string other = createKey("plugin-" + core::newUuidV4());
    const Headers reader = identity(newProjectId(), "observer", "u-1");

    HttpResponse response = send("GET", "/v1/transport_keys?plugin_name=" + plugin, reader);
    INFO(response.body);
    REQUIRE(response.status == 200);
    CHECK(listedRefs(response) == refs);
    CHECK(response.json().at("total") == 3);

    response = send("GET", "/v1/transport_keys?plugin_name=" + plugin + "&limit=1&offset=1", reader);
    REQUIRE(response.status == 200);
    CHECK(listedRefs(response) == std::vector<std::string>{refs[1]});
    const std::string base = stack().baseUrl() + "/v1/transport_keys";
    CHECK(response.json().at("previous") == (base + "?limit=1&offset=0").c_str());
    CHECK(response.json().at("next") == (base + "?limit=1&offset=2").c_str());

    response = send("GET", "/v1/transport_keys?plugin_name=" + plugin + "&offset=10", reader);
    REQUIRE(response.status == 200);
    CHECK(response.json() == boost::json::parse(R"({"transport_keys": [], "total": 3})"));

    // Without the filter every live key is listed.
    response = send("GET", "/v1/transport_keys?limit=100", reader);
    REQUIRE(response.status == 200);
    const std::vector<std::string> all = listedRefs(response);
    for (const std::string& ref : refs) CHECK(std::find(all.begin(), all.end(), ref) != all.end());
    CHECK(std::find(all.begin(), all.end(), other) != all.end());

    CHECK(send("GET", "/v1/transport_keys", identity(newProjectId(), "member", "u-1")).status == 403);
    for (const std::string& ref : refs) send("DELETE", pathOf(ref), serviceAdmin());
    send("DELETE", pathOf(other), serviceAdmin());
}

TEST_CASE("transport key invalid requests", "[e2e][transport_keys]") {
    const std::vector<std::string> bodies = {
        "{}",
        R"({"plugin_name": "p"})",
        R"({"transport_key": "k"})",
        R"({"plugin_name": "  ", "transport_key": "k"})",
        R"({"plugin_name": "p", "transport_key": " "})",
        R"({"plugin_name": 5, "transport_key": "k"})",
        R"({"plugin_name": null, "transport_key": "k"})",
        R"({"plugin_name": "p", "transport_key": ["k"]})",
        "{\"plugin_name\": \"" + std::string(256, 'p') + "\", \"transport_key\": \"k\"}",
        "[]",
        "not json",
    };
    const std::string before = stack().sql("SELECT count(*) FROM transport_keys");
    for (const std::string& body : bodies) {
        INFO(body);
        CHECK(send("POST", "/v1/transport_keys", withJson(serviceAdmin()), body).status == 400);
    }
    CHECK(send("POST", "/v1/transport_keys", withHeader(serviceAdmin(), "Content-Type", "text/plain"),
               R"({"plugin_name": "p", "transport_key": "k"})")
              .status == 415);
    CHECK(send("POST", "/v1/transport_keys", withJson(identity(newProjectId(), "admin", "u-1")),
               R"({"plugin_name": "p", "transport_key": "k"})")
              .status == 403);
    CHECK(stack().sql("SELECT count(*) FROM transport_keys") == before);

    const Headers reader = identity(newProjectId(), "audit", "u-1");
    HttpResponse response = send("GET", "/v1/transport_keys/not-a-uuid", reader);
    CHECK(response.status == 404);
    CHECK(response.json().at("description") == "Not Found. Provided transport key id is invalid.");
    CHECK(send("GET", "/v1/transport_keys/" + core::newUuidV4(), reader).status == 404);
    CHECK(send("DELETE", "/v1/transport_keys/not-a-uuid", reader).status == 404);
    CHECK(send("PUT", "/v1/transport_keys", withJson(serviceAdmin()), "{}").status == 405);
}
