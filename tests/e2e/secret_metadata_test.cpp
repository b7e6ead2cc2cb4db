// End-to-end tests of the user metadata of secrets:
// /v1/secrets/{id}/metadata and /v1/secrets/{id}/metadata/{key}.

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

std::string description(const HttpResponse& response) {
    const auto json = response.json();
    if (!json.is_object() || !json.as_object().contains("description")) return "(no description)";
    return std::string(json.at("description").as_string());
}

// The stored metadata of a secret as "key=value;..." in key order.
std::string storedMetadata(const std::string& secret_id) {
    return stack().sql("SELECT coalesce(string_agg(key || '=' || value, ';' ORDER BY key), '') FROM secret_user_metadata"
                       " WHERE secret_id = '" + secret_id + "'");
}

struct Fixture {
    std::string project = newProjectId();
    Headers who = identity(project);
    std::string id;
    std::string metadata;

    Fixture() {
        id = idOf(createTextSecret(stack().client(), who, "metadata owner"));
        metadata = "/v1/secrets/" + id + "/metadata";
    }
};

}  // namespace

TEST_CASE("secret metadata whole set", "[e2e][secrets][metadata]") {
    Fixture f;
    const HttpResponse empty = send("GET", f.metadata, f.who);
    REQUIRE(empty.status == 200);
    CHECK(empty.json() == boost::json::parse(R"({"metadata": {}})"));

    const HttpResponse put = send("PUT", f.metadata, withJson(f.who), R"({"metadata": {"Foo": " 1 ", "bar": "2"}})");
    REQUIRE(put.status == 201);
    CHECK(put.json().at("metadata_ref").as_string() == stack().baseUrl() + f.metadata);
    CHECK(storedMetadata(f.id) == "bar=2;foo=1");
    CHECK(send("GET", f.metadata, f.who).json() == boost::json::parse(R"({"metadata": {"foo": "1", "bar": "2"}})"));

    // A second PUT replaces the set: absent keys go, present ones change.
    REQUIRE(send("PUT", f.metadata, withJson(f.who), R"({"metadata": {"bar": "3", "baz": "4"}})").status == 201);
    CHECK(storedMetadata(f.id) == "bar=3;baz=4");
    REQUIRE(send("PUT", f.metadata, withJson(f.who), R"({"metadata": {}})").status == 201);
    CHECK(storedMetadata(f.id).empty());
}

TEST_CASE("secret metadata single keys", "[e2e][secrets][metadata]") {
    Fixture f;
    const HttpResponse added = send("POST", f.metadata + "/", withJson(f.who), R"({"key": "New", "value": "v"})");
    REQUIRE(added.status == 201);
    CHECK(added.header("location") == stack().baseUrl() + f.metadata + "/new");
    CHECK(added.json() == boost::json::parse(R"({"key": "new", "value": "v"})"));

    const HttpResponse duplicate = send("POST", f.metadata, withJson(f.who), R"({"key": "NEW", "value": "w"})");
    CHECK(duplicate.status == 409);
    CHECK(description(duplicate) == "Conflict. Key in request is already in the secret metadata");
    CHECK(storedMetadata(f.id) == "new=v");

    CHECK(send("GET", f.metadata + "/new", f.who).json() == boost::json::parse(R"({"key": "new", "value": "v"})"));
    const HttpResponse wrong_case = send("GET", f.metadata + "/New", f.who);
    CHECK(wrong_case.status == 404);
    CHECK(description(wrong_case) == "Secret metadata not found.");

    const HttpResponse updated = send("PUT", f.metadata + "/new", withJson(f.who), R"({"key": "NEW", "value": "v2"})");
    CHECK(updated.status == 200);
    CHECK(updated.json() == boost::json::parse(R"({"key": "new", "value": "v2"})"));
    CHECK(storedMetadata(f.id) == "new=v2");

    CHECK(send("PUT", f.metadata + "/absent", withJson(f.who), R"({"key": "other", "value": "x"})").status == 404);
    const HttpResponse mismatch = send("PUT", f.metadata + "/new", withJson(f.who), R"({"key": "other", "value": "x"})");
    CHECK(mismatch.status == 409);
    CHECK(storedMetadata(f.id) == "new=v2");

    CHECK(send("DELETE", f.metadata + "/new", f.who).status == 204);
    CHECK(storedMetadata(f.id).empty());
    // Deleting an absent key is not an error.
    CHECK(send("DELETE", f.metadata + "/new", f.who).status == 204);
}

TEST_CASE("secret metadata validation", "[e2e][secrets][metadata]") {
    Fixture f;
    REQUIRE(send("PUT", f.metadata, withJson(f.who), R"({"metadata": {"keep": "me"}})").status == 201);
    const std::string long_text(256, 'k');

    struct Case {
        std::string method;
        std::string path;
        std::string body;
        std::string description;  // expected prefix of the description
    };
    const std::vector<Case> cases = {
        {"PUT", f.metadata, R"({"metadata": {"a b": "1"}})", "Invalid Key. Key must be URL safe."},
        {"PUT", f.metadata, R"({"metadata": {"": "1"}})", "Invalid Key."},
        {"PUT", f.metadata, "{\"metadata\": {\"" + long_text + "\": \"1\"}}", "Invalid Key."},
        {"PUT", f.metadata, "{\"metadata\": {\"k\": \"" + long_text + "\"}}", "Invalid Metadata."},
        {"PUT", f.metadata, R"({"metadata": {"k": 1}})", "Invalid Metadata. Keys and Values must be Strings."},
        {"PUT", f.metadata, R"({"meta": {}})", "Provided object does not match schema 'SecretMetadata'"},
        {"PUT", f.metadata, R"({"metadata": ["k"]})", "Provided object does not match schema 'SecretMetadata'"},
        {"PUT", f.metadata, R"({"metadata": )", "Malformed JSON"},
        {"POST", f.metadata, R"({"key": "k"})", "Provided object does not match schema 'SecretMetadatum'"},
        {"POST", f.metadata, R"({"key": "k", "value": "v", "extra": 1})", "Provided object does not match schema"},
        {"POST", f.metadata, R"({"key": "a/b", "value": "v"})", "Invalid Key. Key must be URL safe."},
        {"POST", f.metadata, "{\"key\": \"k\", \"value\": \"" + long_text + "\"}", "Provided object does not match"},
        {"PUT", f.metadata + "/keep", R"({"key": "keep", "value": 5})", "Provided object does not match"},
    };
    for (const Case& c : cases) {
        INFO(c.method << " " << c.body.substr(0, 80));
        const HttpResponse response = send(c.method, c.path, withJson(f.who), c.body);
        CHECK(response.status == 400);
        CHECK_THAT(description(response), Catch::StartsWith(c.description));
    }

    const HttpResponse wrong_type =
        send("PUT", f.metadata, withHeader(f.who, "Content-Type", "text/plain"), R"({"metadata": {}})");
    CHECK(wrong_type.status == 415);
    CHECK(send("POST", f.metadata, f.who, R"({"key": "k", "value": "v"})").status == 415);
    CHECK(send("GET", f.metadata, withHeader(f.who, "Accept", "text/plain")).status == 406);
    CHECK(storedMetadata(f.id) == "keep=me");
}

TEST_CASE("secret metadata policy", "[e2e][secrets][metadata]") {
    Fixture f;
    REQUIRE(send("PUT", f.metadata, withJson(f.who), R"({"metadata": {"k": "v"}})").status == 201);
    const Headers stranger = identity(newProjectId());
    CHECK(send("GET", f.metadata, stranger).status == 403);
    CHECK(send("GET", f.metadata + "/k", stranger).status == 403);
    CHECK(send("PUT", f.metadata, withJson(stranger), R"({"metadata": {}})").status == 403);
    CHECK(send("POST", f.metadata, withJson(stranger), R"({"key": "x", "value": "y"})").status == 403);
    CHECK(send("DELETE", f.metadata + "/k", stranger).status == 403);

    const Headers observer = identity(f.project, "observer");
    CHECK(send("GET", f.metadata, observer).status == 200);
    const HttpResponse refused = send("PUT", f.metadata, withJson(observer), R"({"metadata": {}})");
    CHECK(refused.status == 403);
    CHECK(description(refused) ==
          "Secret metadata update attempt not allowed - please review your user/project privileges");
    CHECK(storedMetadata(f.id) == "k=v");

    REQUIRE(send("DELETE", "/v1/secrets/" + f.id, f.who).status == 204);
    CHECK(send("GET", f.metadata, f.who).status == 404);
    CHECK(send("POST", f.metadata, withJson(f.who), R"({"key": "x", "value": "y"})").status == 404);
    CHECK(send("GET", "/v1/secrets/" + core::newUuidV4() + "/metadata/k", f.who).status == 404);
}
