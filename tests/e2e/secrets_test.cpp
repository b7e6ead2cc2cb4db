// End-to-end tests of /v1/secrets against the private test stack: every
// endpoint and error class, payload round trips, listing, isolation between
// projects, microversions, keys at rest and master key rotation.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "core/base64.h"
#include "core/crypto.h"
#include "core/keyring.h"
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

Headers withHeader(Headers base, const std::string& name, const std::string& value) {
    base.emplace_back(name, value);
    return base;
}

Headers atVersion(const Headers& base, const std::string& version) {
    return withHeader(base, "OpenStack-API-Version", "key-manager " + version);
}

HttpResponse postSecret(const Headers& who, const object& body) {
    return send("POST", "/v1/secrets", withJson(who), boost::json::serialize(body));
}

// Creates a secret and returns its id. Fails the test unless the status is 201.
std::string createSecret(const Headers& who, const object& body) {
    const HttpResponse response = postSecret(who, body);
    INFO(response.body);
    REQUIRE(response.status == 201);
    return idOf(std::string(response.json().at("secret_ref").as_string()));
}

std::string createText(const Headers& who, const std::string& payload, const std::string& name = "text") {
    return createSecret(who, object{{"name", name}, {"payload", payload}, {"payload_content_type", "text/plain"}});
}

std::string description(const HttpResponse& response) {
    const auto json = response.json();
    if (!json.is_object() || !json.as_object().contains("description")) return "(no description)";
    const auto& value = json.as_object().at("description");
    return value.is_string() ? std::string(value.as_string()) : "(not a string)";
}

long long count(const std::string& statement) {
    const std::string out = stack().sql(statement);
    INFO(statement << " -> " << out);
    return std::stoll(out);
}

std::string secretPath(const std::string& id) { return "/v1/secrets/" + id; }

std::string binaryString(std::initializer_list<unsigned char> bytes) {
    return std::string(bytes.begin(), bytes.end());
}

}  // namespace

TEST_CASE("secrets text round trip", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "", "user-a");
    const HttpResponse created = postSecret(
        who, object{{"name", "  db-key  "}, {"secret_type", "passphrase"}, {"algorithm", "aes"}, {"bit_length", 256},
                    {"mode", "gcm"}, {"expiration", "2099-06-30T12:00:00+02:00"}, {"payload", "hello world"},
                    {"payload_content_type", "text/plain; charset=utf-8"}});
    INFO(created.body);
    REQUIRE(created.status == 201);
    const std::string ref(created.json().at("secret_ref").as_string());
    CHECK(created.header("location") == ref);
    CHECK(ref.rfind(stack().baseUrl() + "/v1/secrets/", 0) == 0);
    const std::string id = idOf(ref);

    const HttpResponse metadata = send("GET", secretPath(id), who);
    REQUIRE(metadata.status == 200);
    const object secret = metadata.json().as_object();
    CHECK(secret.at("secret_ref").as_string() == ref);
    CHECK(secret.at("name").as_string() == "db-key");
    CHECK(secret.at("secret_type").as_string() == "passphrase");
    CHECK(secret.at("status").as_string() == "ACTIVE");
    CHECK(secret.at("algorithm").as_string() == "aes");
    CHECK(secret.at("bit_length").as_int64() == 256);
    CHECK(secret.at("mode").as_string() == "gcm");
    CHECK(secret.at("expiration").as_string() == "2099-06-30T10:00:00");
    CHECK(secret.at("creator_id").as_string() == "user-a");
    CHECK(secret.at("content_types").at("default").as_string() == "text/plain");
    CHECK(secret.at("created").as_string() == secret.at("updated").as_string());
    CHECK_FALSE(secret.contains("consumers"));

    const HttpResponse as_text = send("GET", secretPath(id) + "/payload", withHeader(who, "Accept", "text/plain"));
    REQUIRE(as_text.status == 200);
    CHECK(as_text.body == "hello world");
    CHECK(as_text.header("content-type") == "text/plain; charset=UTF-8");

    const HttpResponse no_accept = send("GET", secretPath(id) + "/payload", who);
    REQUIRE(no_accept.status == 200);
    CHECK(no_accept.body == "hello world");
    CHECK(no_accept.header("content-type") == "application/octet-stream");

    const HttpResponse any = send("GET", secretPath(id) + "/payload", withHeader(who, "Accept", "*/*"));
    CHECK(any.status == 200);
    CHECK(any.header("content-type") == "text/plain; charset=UTF-8");

    // The deprecated payload route: GET on the secret with a non-JSON Accept.
    const HttpResponse deprecated = send("GET", secretPath(id), withHeader(who, "Accept", "text/plain"));
    CHECK(deprecated.status == 200);
    CHECK(deprecated.body == "hello world");

    // At rest: ciphertext only, bound to the project's key.
    CHECK(stack().sql("SELECT content_type FROM secrets WHERE id = '" + id + "'") == "text/plain");
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + id +
                "' AND position(convert_to('hello world', 'UTF8') IN ciphertext) > 0") == 0);
    CHECK(count("SELECT count(*) FROM project_keys WHERE project_id = '" + project + "'") == 1);
}

TEST_CASE("secrets binary round trip", "[e2e][secrets]") {
    const Headers who = identity(newProjectId());
    const std::string bytes = binaryString({0x00, 0xff, 0x00, 0x10, 'a', 0x00, 0xc3});
    const std::string id = createSecret(who, object{{"payload", core::base64Encode(bytes)},
                                                    {"payload_content_type", "application/octet-stream"},
                                                    {"payload_content_encoding", "base64"}});

    const HttpResponse raw = send("GET", secretPath(id) + "/payload",
                                  withHeader(who, "Accept", "application/octet-stream"));
    REQUIRE(raw.status == 200);
    CHECK(raw.body == bytes);
    CHECK(raw.header("content-type") == "application/octet-stream");

    const HttpResponse pkcs8 = send("GET", secretPath(id) + "/payload", withHeader(who, "Accept", "application/pkcs8"));
    CHECK(pkcs8.status == 200);
    CHECK(pkcs8.body == bytes);
    CHECK(pkcs8.header("content-type") == "application/pkcs8");

    // Not valid UTF-8, so it cannot be served as text.
    const HttpResponse text = send("GET", secretPath(id) + "/payload", withHeader(who, "Accept", "text/plain"));
    CHECK(text.status == 406);
    CHECK(description(text) == "Secret payload retrieval issue seen - Wrong payload content-type.");

    for (const std::string accept : {"Text/Plain", "text/plain, */*", "application/json;q=1", "image/png"}) {
        INFO(accept);
        const HttpResponse refused = send("GET", secretPath(id) + "/payload", withHeader(who, "Accept", accept));
        CHECK(refused.status == 406);
        CHECK(refused.header("content-type") == "application/json");
    }

    const HttpResponse pkcs8_stored =
        postSecret(who, object{{"payload", core::base64Encode(bytes)}, {"payload_content_type", "application/pkcs8"},
                               {"payload_content_encoding", "base64"}});
    REQUIRE(pkcs8_stored.status == 201);
    const std::string pkcs8_id = idOf(std::string(pkcs8_stored.json().at("secret_ref").as_string()));
    const HttpResponse stored_type = send("GET", secretPath(pkcs8_id) + "/payload", withHeader(who, "Accept", "*/*"));
    CHECK(stored_type.status == 200);
    CHECK(stored_type.header("content-type") == "application/pkcs8");
    CHECK(stored_type.body == bytes);
}

TEST_CASE("secrets two-step create", "[e2e][secrets]") {
    const Headers who = identity(newProjectId());
    const std::string id = createSecret(who, object{{"name", "later"}});

    const HttpResponse before = send("GET", secretPath(id), who);
    REQUIRE(before.status == 200);
    CHECK_FALSE(before.json().as_object().contains("content_types"));
    const HttpResponse missing = send("GET", secretPath(id) + "/payload", who);
    CHECK(missing.status == 404);
    CHECK(description(missing) == "Not Found. Sorry but your secret has no payload.");

    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const HttpResponse put = send("PUT", secretPath(id), withHeader(who, "Content-Type", "text/plain"), "later text");
    CHECK(put.status == 204);
    CHECK(put.body.empty());

    const HttpResponse after = send("GET", secretPath(id), who);
    const object secret = after.json().as_object();
    CHECK(secret.at("content_types").at("default").as_string() == "text/plain");
    CHECK(secret.at("updated").as_string() != secret.at("created").as_string());
    CHECK(send("GET", secretPath(id) + "/payload", withHeader(who, "Accept", "text/plain")).body == "later text");

    const HttpResponse again = send("PUT", secretPath(id), withHeader(who, "Content-Type", "text/plain"), "other");
    CHECK(again.status == 409);
    CHECK(description(again) == "Secret already has data, cannot modify it.");
    CHECK(send("GET", secretPath(id) + "/payload", who).body == "later text");

    // octet-stream as sent, with NUL bytes, and base64 decoded with any case.
    const std::string bytes = binaryString({0x00, 0x01, 0x00, 0xfe});
    const std::string raw_id = createSecret(who, object{{"name", "raw"}});
    CHECK(send("PUT", secretPath(raw_id), withHeader(who, "Content-Type", "application/octet-stream"), bytes).status ==
          204);
    CHECK(send("GET", secretPath(raw_id) + "/payload", who).body == bytes);
    CHECK(stack().sql("SELECT content_type FROM secrets WHERE id = '" + raw_id + "'") == "application/octet-stream");

    const std::string b64_id = createSecret(who, object{{"name", "b64"}});
    Headers b64_headers = withHeader(who, "Content-Type", "application/octet-stream; x=y");
    b64_headers.emplace_back("Content-Encoding", "BASE64");
    CHECK(send("PUT", secretPath(b64_id), b64_headers, core::base64Encode(bytes)).status == 204);
    CHECK(send("GET", secretPath(b64_id) + "/payload", who).body == bytes);
}

TEST_CASE("secrets put error order", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    const std::string empty_id = createSecret(who, object{{"name", "empty"}});
    const std::string full_id = createText(who, "kept");
    const std::string big(20001, 'x');

    struct Case {
        std::string id;
        std::string content_type;
        std::string encoding;
        std::string body;
        int status;
        std::string description;
    };
    const std::vector<Case> cases = {
        {empty_id, "application/json", "", "x", 415, ""},
        {empty_id, "", "", "x", 415, ""},
        {empty_id, "application/pkcs8", "", "x", 415, ""},
        {empty_id, "text/html", "", "", 415, ""},
        {empty_id, "text/plain", "", "", 400, "No data supplied to process."},
        {empty_id, "text/plain", "", big, 413, ""},
        {full_id, "text/plain", "", big, 413, ""},
        {full_id, "application/octet-stream", "base64", "!!", 409, "Secret already has data, cannot modify it."},
        {empty_id, "application/octet-stream", "base64", "abc", 400, "The payload is not valid base64."},
        {empty_id, "application/octet-stream", "gzip", "abc", 400, ""},
    };
    for (const Case& c : cases) {
        INFO(c.content_type << " " << c.encoding << " body " << c.body.size() << " bytes");
        Headers headers = who;
        if (!c.content_type.empty()) headers.emplace_back("Content-Type", c.content_type);
        if (!c.encoding.empty()) headers.emplace_back("Content-Encoding", c.encoding);
        const HttpResponse response = send("PUT", secretPath(c.id), headers, c.body);
        CHECK(response.status == c.status);
        CHECK(response.header("content-type") == "application/json");
        if (!c.description.empty()) CHECK(description(response) == c.description);
    }
    // None of them stored anything.
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + empty_id + "' AND ciphertext IS NULL AND content_type IS NULL") == 1);
    CHECK(send("GET", secretPath(full_id) + "/payload", who).body == "kept");
}

TEST_CASE("secrets create validation", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    const std::string big(20001, 'x');
    const std::string oversized_json = "{\"name\": \"" + std::string(26000, 'n') + "\"}";

    struct Case {
        std::string body;
        int status;
        std::string field;  // expected inside the description
    };
    const std::vector<Case> cases = {
        {R"({"name": 5})", 400, "'name'"},
        {R"({"name": "n", "secret_type": "weird"})", 400, "'secret_type'"},
        {R"({"bit_length": "256"})", 400, "'bit_length'"},
        {R"({"bit_length": 0})", 400, "'bit_length'"},
        {R"({"bit_length": 32768})", 400, "'bit_length'"},
        {R"({"algorithm": null})", 400, "'algorithm'"},
        {"{\"mode\": \"" + std::string(256, 'm') + "\"}", 400, "'mode'"},
        {R"({"expiration": "2001-01-01T00:00:00"})", 400, "'expiration'"},
        {R"({"expiration": "next tuesday"})", 400, "'expiration'"},
        {R"({"payload": "abc"})", 400, "'payload_content_type'"},
        {R"({"payload_content_type": "text/plain"})", 400, "'payload'"},
        {R"({"payload": "abc", "payload_content_type": "text/plain", "payload_content_encoding": "base64"})", 400,
         "'payload_content_encoding'"},
        {R"({"payload": "abc", "payload_content_type": "application/octet-stream"})", 400, "'payload_content_encoding'"},
        {R"({"payload": "abc", "payload_content_type": "text/plain; charset=latin1"})", 400, "'payload_content_type'"},
        {R"({"payload": "abc", "payload_content_type": "application/octet-stream", "payload_content_encoding": "hex"})",
         400, "'payload_content_encoding'"},
        {R"({"payload": "   ", "payload_content_type": "text/plain"})", 400, "'payload'"},
        {R"({"payload": "abc", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"})",
         400, "'payload'"},
        {R"({"payload": "x", "payload_content_type": "text/plain", "transport_key_id": "1f0e4b4e-1111-4a2b-8c3d-0123456789ab"})",
         400, "transport key"},
        {"{\"payload\": \"" + big + "\", \"payload_content_type\": \"text/plain\"}", 413, ""},
        {"{\"name\": ", 400, "Malformed JSON"},
        {oversized_json, 400, "Malformed JSON"},
        {"[1, 2]", 400, ""},
    };
    for (const Case& c : cases) {
        INFO(c.body.substr(0, 120));
        const HttpResponse response = send("POST", "/v1/secrets", withJson(who), c.body);
        CHECK(response.status == c.status);
        CHECK(response.header("content-type") == "application/json");
        if (!c.field.empty()) CHECK_THAT(description(response), Catch::Contains(c.field));
    }

    const HttpResponse wrong_type =
        send("POST", "/v1/secrets", withHeader(who, "Content-Type", "text/plain"), R"({"name": "n"})");
    CHECK(wrong_type.status == 415);
    const HttpResponse wrong_accept = send("POST", "/v1/secrets", withHeader(withJson(who), "Accept", "text/plain"),
                                           R"({"name": "n"})");
    CHECK(wrong_accept.status == 406);

    // Failed requests of a new project write nothing, not even the project.
    CHECK(count("SELECT count(*) FROM projects WHERE id = '" + project + "'") == 0);
    CHECK(count("SELECT count(*) FROM project_keys WHERE project_id = '" + project + "'") == 0);
    CHECK(count("SELECT count(*) FROM secrets WHERE project_id = '" + project + "'") == 0);
}

TEST_CASE("secrets failed requests write nothing", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    const std::string id = createText(who, "first");
    const std::string empty_id = createSecret(who, object{{"name", "empty"}});
    const std::string snapshot_sql =
        "SELECT string_agg(id::text || coalesce(encode(ciphertext, 'hex'), '-') || updated_at::text, ',' ORDER BY id)"
        " FROM secrets WHERE project_id = '" + project + "'";
    const std::string before = stack().sql(snapshot_sql);

    send("POST", "/v1/secrets", withJson(who), R"({"name": 7})");
    send("POST", "/v1/secrets", withJson(identity(project, "observer")), R"({"name": "n"})");
    send("PUT", secretPath(empty_id), withHeader(who, "Content-Type", "application/octet-stream"), std::string(20001, 'x'));
    send("PUT", secretPath(id), withHeader(who, "Content-Type", "text/plain"), "second");
    send("DELETE", secretPath(id), identity(project, "observer"));
    send("DELETE", secretPath(id), identity(newProjectId()));

    CHECK(stack().sql(snapshot_sql) == before);
    CHECK(count("SELECT count(*) FROM secrets WHERE project_id = '" + project + "' AND NOT deleted") == 2);
}

TEST_CASE("secrets quota reached", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    createText(who, "one");
    stack().sql("INSERT INTO project_quotas (project_id, secrets, created_at, updated_at) VALUES ('" + project +
                "', 1, now(), now())");
    const HttpResponse refused = postSecret(who, object{{"name", "two"}});
    CHECK(refused.status == 403);
    CHECK(description(refused) == "Secret creation issue seen - Creation not allowed because a quota has been reached.");
    CHECK(count("SELECT count(*) FROM secrets WHERE project_id = '" + project + "'") == 1);
}

TEST_CASE("secrets other project forbidden", "[e2e][secrets]") {
    const std::string owner_project = newProjectId();
    const Headers owner = identity(owner_project, "", "owner-user");
    const std::string id = createText(owner, "private text");
    const Headers stranger = identity(newProjectId(), "", "stranger-user");

    struct Case {
        std::string method;
        std::string path;
        std::string content_type;
        std::string description;
    };
    const std::vector<Case> cases = {
        {"GET", secretPath(id), "", "Secret retrieval attempt not allowed - please review your user/project privileges"},
        {"GET", secretPath(id) + "/payload", "", "Secret payload retrieval attempt not allowed"},
        {"PUT", secretPath(id), "text/plain", "Secret update attempt not allowed"},
        {"DELETE", secretPath(id), "", "Secret deletion attempt not allowed"},
        {"GET", secretPath(id) + "/metadata", "", "Secret metadata retrieval attempt not allowed"},
    };
    for (const Case& c : cases) {
        INFO(c.method << " " << c.path);
        const Headers headers = c.content_type.empty() ? stranger : withHeader(stranger, "Content-Type", c.content_type);
        const HttpResponse response = send(c.method, c.path, headers, c.content_type.empty() ? "" : "x");
        CHECK(response.status == 403);
        CHECK_THAT(description(response), Catch::StartsWith(c.description));
        CHECK(response.body.find("private text") == std::string::npos);
    }

    // Listing is per project.
    const HttpResponse theirs = send("GET", "/v1/secrets", stranger);
    CHECK(theirs.json().at("total").as_int64() == 0);
    const HttpResponse mine = send("GET", "/v1/secrets", owner);
    CHECK(mine.json().at("total").as_int64() == 1);
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + id + "' AND NOT deleted") == 1);
}

TEST_CASE("secrets read acl grants access", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers owner = identity(project, "creator", "owner-user");
    const std::string id = createText(owner, "shared text");
    const std::string friend_id = "friend-" + core::newUuidV4();
    stack().sql("INSERT INTO secret_acls (secret_id, project_access, users, created_at, updated_at) VALUES ('" + id +
                "', false, ARRAY['" + friend_id + "']::varchar[], now(), now())");

    // A user of another project listed in the ACL reads it.
    const Headers friend_user = identity(newProjectId(), "observer", friend_id);
    CHECK(send("GET", secretPath(id), friend_user).status == 200);
    const HttpResponse payload = send("GET", secretPath(id) + "/payload", friend_user);
    CHECK(payload.status == 200);
    CHECK(payload.body == "shared text");
    CHECK(send("DELETE", secretPath(id), friend_user).status == 403);

    // Private: project members other than the creator and admins are refused.
    CHECK(send("GET", secretPath(id), identity(project, "creator", "colleague")).status == 403);
    CHECK(send("GET", secretPath(id) + "/payload", identity(project, "observer", "colleague")).status == 403);
    CHECK(send("GET", secretPath(id), owner).status == 200);
    CHECK(send("GET", secretPath(id), identity(project, "admin", "boss")).status == 200);

    // acl_only lists it for the ACL user, in any project, whatever the case of "true".
    const HttpResponse shared = send("GET", "/v1/secrets?acl_only=TRUE", friend_user);
    REQUIRE(shared.status == 200);
    CHECK(shared.json().at("total").as_int64() == 1);
    CHECK(idOf(std::string(shared.json().at("secrets").at(0).at("secret_ref").as_string())) == id);
    CHECK(send("GET", "/v1/secrets?acl_only=true", identity(newProjectId(), "observer")).json().at("total").as_int64() == 0);
    CHECK(send("GET", "/v1/secrets?acl_only=true", identity(project, "", "stranger")).json().at("total").as_int64() == 0);
}

TEST_CASE("secrets not found cases", "[e2e][secrets]") {
    const Headers who = identity(newProjectId());
    const std::vector<std::string> malformed = {"abc", "D41C9E3A-7B2F-4A8D-B1E6-2C5F8A9D0E17",
                                                "d41c9e3a-7b2f-1a8d-b1e6-2c5f8a9d0e17",
                                                "d41c9e3a-7b2f-4a8d-c1e6-2c5f8a9d0e17"};
    for (const std::string& id : malformed) {
        for (const std::string suffix : {"", "/payload", "/metadata", "/metadata/k"}) {
            INFO(id << suffix);
            const HttpResponse response = send("GET", secretPath(id) + suffix, who);
            CHECK(response.status == 404);
            CHECK(description(response) == "Not Found. Provided secret id is invalid.");
        }
    }

    const std::string unknown = core::newUuidV4();
    const std::string deleted = createText(who, "gone");
    REQUIRE(send("DELETE", secretPath(deleted), who).status == 204);
    const std::string expired = createText(who, "old");
    stack().sql("UPDATE secrets SET expiration = (now() AT TIME ZONE 'utc') - interval '1 minute' WHERE id = '" + expired + "'");

    for (const std::string& id : {unknown, deleted, expired}) {
        INFO(id);
        CHECK(description(send("GET", secretPath(id), who)) == "Secret not found.");
        CHECK(send("GET", secretPath(id), who).status == 404);
        CHECK(send("GET", secretPath(id) + "/payload", who).status == 404);
        CHECK(send("PUT", secretPath(id), withHeader(who, "Content-Type", "text/plain"), "x").status == 404);
        CHECK(send("DELETE", secretPath(id), who).status == 404);
        CHECK(send("GET", secretPath(id) + "/metadata", who).status == 404);
    }
    CHECK(send("GET", "/v1/secrets", who).json().at("total").as_int64() == 0);
    CHECK(send("GET", secretPath(unknown) + "/other", who).status == 404);
}

TEST_CASE("secrets method not allowed", "[e2e][secrets]") {
    const Headers who = identity(newProjectId());
    const std::string id = createText(who, "x");
    struct Case {
        std::string method;
        std::string path;
    };
    for (const Case& c : std::vector<Case>{{"POST", secretPath(id)},
                                           {"PATCH", secretPath(id)},
                                           {"PUT", "/v1/secrets"},
                                           {"DELETE", "/v1/secrets"},
                                           {"POST", secretPath(id) + "/payload"},
                                           {"PUT", secretPath(id) + "/payload"},
                                           {"DELETE", secretPath(id) + "/metadata"},
                                           {"POST", secretPath(id) + "/metadata/key"}}) {
        INFO(c.method << " " << c.path);
        const HttpResponse response = send(c.method, c.path, who);
        CHECK(response.status == 405);
        CHECK_FALSE(response.header("allow").empty());
        CHECK(response.json().at("code").as_int64() == 405);
    }
    CHECK(send("POST", secretPath(id), who).header("allow") == "DELETE, GET, PUT");
}

TEST_CASE("secrets delete removes dependents", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    const std::string id = createText(who, "to delete");
    const std::string container = core::newUuidV4();
    REQUIRE(send("PUT", secretPath(id) + "/metadata", withJson(who), R"({"metadata": {"a": "1", "b": "2"}})").status == 201);
    stack().sql("INSERT INTO secret_acls (secret_id, project_access, users, created_at, updated_at) VALUES ('" + id +
                "', true, ARRAY['u']::varchar[], now(), now())");
    stack().sql("INSERT INTO secret_consumers (id, secret_id, project_id, service, resource_type, resource_id,"
                " created_at, updated_at) VALUES (gen_random_uuid(), '" + id + "', '" + project +
                "', 'svc', 'volume', 'r1', now(), now())");
    stack().sql("INSERT INTO containers (id, project_id, name, type, created_at, updated_at) VALUES ('" + container +
                "', '" + project + "', 'c', 'generic', now(), now())");
    stack().sql("INSERT INTO container_secrets (container_id, secret_id, name) VALUES ('" + container + "', '" + id + "', 'k')");

    const HttpResponse deleted = send("DELETE", secretPath(id), who);
    CHECK(deleted.status == 204);
    CHECK(deleted.body.empty());

    const std::string where = " WHERE secret_id = '" + id + "'";
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + id +
                "' AND deleted AND deleted_at IS NOT NULL AND ciphertext IS NULL AND content_type IS NULL") == 1);
    CHECK(count("SELECT count(*) FROM secret_user_metadata" + where) == 0);
    CHECK(count("SELECT count(*) FROM secret_acls" + where) == 0);
    CHECK(count("SELECT count(*) FROM secret_consumers" + where + " AND NOT deleted") == 0);
    CHECK(count("SELECT count(*) FROM secret_consumers" + where + " AND deleted") == 1);
    CHECK(count("SELECT count(*) FROM container_secrets" + where) == 0);
    CHECK(count("SELECT count(*) FROM containers WHERE id = '" + container + "' AND NOT deleted") == 1);

    CHECK(send("GET", secretPath(id), who).status == 404);
    CHECK(send("DELETE", secretPath(id), who).status == 404);
}

TEST_CASE("secrets consumers field by microversion", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    const std::string id = createText(who, "consumed");

    CHECK_FALSE(send("GET", secretPath(id), who).json().as_object().contains("consumers"));
    const HttpResponse empty = send("GET", secretPath(id), atVersion(who, "1.1"));
    REQUIRE(empty.status == 200);
    CHECK(empty.json().at("consumers").as_array().empty());
    CHECK(empty.header("openstack-api-version") == "key-manager 1.1");

    stack().sql("INSERT INTO secret_consumers (id, secret_id, project_id, service, resource_type, resource_id,"
                " created_at, updated_at, deleted) VALUES (gen_random_uuid(), '" + id + "', '" + project +
                "', 'nova', 'instance', 'i-1', now(), now(), false), (gen_random_uuid(), '" + id + "', '" + project +
                "', 'old', 'thing', 'gone', now(), now(), true)");
    const boost::json::value one = send("GET", secretPath(id), atVersion(who, "1.1")).json();
    const auto& consumers = one.at("consumers").as_array();
    REQUIRE(consumers.size() == 1);
    CHECK(consumers[0].at("service").as_string() == "nova");
    CHECK(consumers[0].at("resource_type").as_string() == "instance");
    CHECK(consumers[0].at("resource_id").as_string() == "i-1");

    const HttpResponse listed = send("GET", "/v1/secrets", atVersion(who, "latest"));
    REQUIRE(listed.status == 200);
    CHECK(listed.json().at("secrets").at(0).at("consumers").as_array().size() == 1);
    CHECK_FALSE(send("GET", "/v1/secrets", who).json().at("secrets").at(0).as_object().contains("consumers"));
}

TEST_CASE("secrets delete rules by microversion", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    auto consumedSecret = [&]() {
        const std::string id = createText(who, "c");
        stack().sql("INSERT INTO secret_consumers (id, secret_id, project_id, service, resource_type, resource_id,"
                    " created_at, updated_at) VALUES (gen_random_uuid(), '" + id + "', '" + project +
                    "', 'svc', 'type', 'r', now(), now())");
        return id;
    };

    const std::string id = consumedSecret();
    const Headers v12 = atVersion(who, "1.2");
    for (const std::string query : {"", "?force=false", "?force=No", "?force=0"}) {
        INFO(query);
        const HttpResponse refused = send("DELETE", secretPath(id) + query, v12);
        CHECK(refused.status == 400);
        CHECK(description(refused) == "Secret cannot be deleted as it has consumers.");
    }
    CHECK(send("DELETE", secretPath(id) + "?force=maybe", v12).status == 400);
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + id + "' AND NOT deleted") == 1);

    CHECK(send("DELETE", secretPath(id) + "?force=TRUE", v12).status == 204);
    CHECK(count("SELECT count(*) FROM secret_consumers WHERE secret_id = '" + id + "' AND NOT deleted") == 0);

    // Before 1.2, consumers never block and force is not read.
    const std::string old_style = consumedSecret();
    CHECK(send("DELETE", secretPath(old_style) + "?force=maybe", atVersion(who, "1.1")).status == 204);

    const std::string unconsumed = createText(who, "free");
    CHECK(send("DELETE", secretPath(unconsumed), v12).status == 204);
}

TEST_CASE("secrets list paging", "[e2e][secrets]") {
    const Headers who = identity(newProjectId());
    for (int i = 0; i < 5; ++i) createSecret(who, object{{"name", "s" + std::to_string(i)}});

    auto page = [&](const std::string& query) {
        const HttpResponse response = send("GET", "/v1/secrets" + query, who);
        INFO(query << " -> " << response.body.substr(0, 300));
        REQUIRE(response.status == 200);
        return response.json().as_object();
    };
    auto names = [](const object& body) {
        std::vector<std::string> out;
        for (const auto& item : body.at("secrets").as_array()) out.emplace_back(item.at("name").as_string());
        return out;
    };
    const std::string base = stack().baseUrl() + "/v1/secrets";

    const object first = page("?limit=2");
    CHECK(first.at("total").as_int64() == 5);
    CHECK(names(first) == std::vector<std::string>{"s0", "s1"});
    CHECK(first.at("next").as_string() == base + "?limit=2&offset=2");
    CHECK_FALSE(first.contains("previous"));

    const object middle = page("?limit=2&offset=2");
    CHECK(names(middle) == std::vector<std::string>{"s2", "s3"});
    CHECK(middle.at("previous").as_string() == base + "?limit=2&offset=0");
    CHECK(middle.at("next").as_string() == base + "?limit=2&offset=4");

    const object last = page("?offset=4&limit=2");
    CHECK(names(last) == std::vector<std::string>{"s4"});
    CHECK(last.contains("previous"));
    CHECK_FALSE(last.contains("next"));

    const object beyond = page("?offset=10");
    CHECK(beyond.at("total").as_int64() == 5);
    CHECK(beyond.at("secrets").as_array().empty());
    CHECK_FALSE(beyond.contains("next"));
    CHECK_FALSE(beyond.contains("previous"));

    CHECK(page("?limit=0").at("secrets").as_array().size() == 1);
    CHECK(page("?limit=abc").at("secrets").as_array().size() == 5);
    CHECK(page("?limit=1000&offset=-3").contains("next") == false);

    // Links carry the other parameters; following them continues the listing.
    const object sorted = page("?name=s%25&limit=2&sort=name:desc");
    CHECK(names(sorted) == std::vector<std::string>{"s4", "s3"});
    const std::string next(sorted.at("next").as_string());
    CHECK(next == base + "?limit=2&offset=2&name=s%25&sort=name%3Adesc");
    const HttpResponse followed = send("GET", pathOf(next), who);
    CHECK(names(followed.json().as_object()) == std::vector<std::string>{"s2", "s1"});
}

TEST_CASE("secrets list filters", "[e2e][secrets]") {
    const Headers who = identity(newProjectId());
    createSecret(who, object{{"name", "alpha-1"}, {"algorithm", "AES"}, {"mode", "cbc"}, {"bit_length", 128},
                             {"secret_type", "symmetric"}});
    createSecret(who, object{{"name", "alpha-2"}, {"algorithm", "AES"}, {"mode", "gcm"}, {"bit_length", 256},
                             {"secret_type", "symmetric"}, {"expiration", "2090-01-01T00:00:00"}});
    createSecret(who, object{{"name", "beta b"}, {"algorithm", "RSA"}, {"bit_length", 2048}});

    auto names = [&](const std::string& query) {
        const HttpResponse response = send("GET", "/v1/secrets" + query, who);
        INFO(query << " -> " << response.body.substr(0, 300));
        REQUIRE(response.status == 200);
        const boost::json::value body = response.json();
        std::vector<std::string> out;
        for (const auto& item : body.at("secrets").as_array()) out.emplace_back(item.at("name").as_string());
        CHECK(body.at("total").as_int64() == static_cast<std::int64_t>(out.size()));
        return out;
    };
    using Names = std::vector<std::string>;
    CHECK(names("?name=alpha-1") == Names{"alpha-1"});
    CHECK(names("?name=alpha%25") == Names{"alpha-1", "alpha-2"});
    CHECK(names("?name=alpha-_") == Names{"alpha-1", "alpha-2"});
    CHECK(names("?name=ALPHA%25").empty());
    CHECK(names("?name=beta%2Bb") == Names{"beta b"});  // decoded twice, as upstream does
    CHECK(names("?alg=AES") == Names{"alpha-1", "alpha-2"});
    CHECK(names("?alg=R%25") == Names{"beta b"});
    CHECK(names("?mode=gcm") == Names{"alpha-2"});
    CHECK(names("?bits=256") == Names{"alpha-2"});
    CHECK(names("?bits=abc").size() == 3);
    CHECK(names("?bits=-1").size() == 3);
    CHECK(names("?secret_type=symmetric") == Names{"alpha-1", "alpha-2"});
    CHECK(names("?secret_type=opaque") == Names{"beta b"});
    CHECK(names("?alg=AES&mode=cbc") == Names{"alpha-1"});
    CHECK(names("?sort=name:desc") == Names{"beta b", "alpha-2", "alpha-1"});
    CHECK(names("?sort=bit_length:desc,name") == Names{"beta b", "alpha-2", "alpha-1"});
    CHECK(names("?created=lt:2999-01-01").size() == 3);
    CHECK(names("?created=gt:2999-01-01").empty());
    CHECK(names("?updated=gte:2000-01-01T00:00:00Z,lt:2999-01-01").size() == 3);
    CHECK(names("?expiration=gte:2089-12-31,lt:2090-02-01") == Names{"alpha-2"});
    CHECK(names("?expiration=2090-01-01T00:00:00") == Names{"alpha-2"});

    for (const std::string bad : {"?sort=color", "?sort=name:up", "?sort=name,name", "?sort=name:asc:desc",
                                  "?created=gt:soon", "?created=gt:2020-01-01,gte:2020-01-01",
                                  "?expiration=2020-01-01,lte:2021-01-01"}) {
        INFO(bad);
        const HttpResponse response = send("GET", "/v1/secrets" + bad, who);
        CHECK(response.status == 400);
        CHECK(response.json().at("code").as_int64() == 400);
    }
    CHECK(send("GET", "/v1/secrets", withHeader(who, "Accept", "text/plain")).status == 406);
    CHECK(send("GET", "/v1/secrets", identity(newProjectId(), "audit")).status == 403);
}

TEST_CASE("secrets new project concurrent creates", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    constexpr int kThreads = 16;
    std::atomic<bool> go{false};
    std::vector<int> statuses(kThreads, 0);
    std::vector<std::string> ids(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            while (!go.load()) std::this_thread::yield();
            const object body{{"name", "c" + std::to_string(i)}, {"payload", "payload " + std::to_string(i)},
                              {"payload_content_type", "text/plain"}};
            const HttpResponse response = postSecret(who, body);
            statuses[i] = response.status;
            if (response.status == 201) ids[i] = idOf(std::string(response.json().at("secret_ref").as_string()));
        });
    }
    go = true;
    for (auto& thread : threads) thread.join();

    for (int i = 0; i < kThreads; ++i) CHECK(statuses[i] == 201);
    CHECK(count("SELECT count(*) FROM project_keys WHERE project_id = '" + project + "'") == 1);
    CHECK(count("SELECT count(*) FROM projects WHERE id = '" + project + "'") == 1);
    CHECK(count("SELECT count(*) FROM secrets WHERE project_id = '" + project + "'") == kThreads);
    for (int i = 0; i < kThreads; ++i) {
        if (ids[i].empty()) continue;
        CHECK(send("GET", secretPath(ids[i]) + "/payload", who).body == "payload " + std::to_string(i));
    }
}

TEST_CASE("secrets moved ciphertext fails opaquely", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    const std::string source = createText(who, "source-plaintext");
    const std::string target = createText(who, "target-plaintext");
    const std::string other_project_target = createText(identity(newProjectId()), "elsewhere");

    for (const std::string& id : {target, other_project_target}) {
        stack().sql("UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets WHERE id = '" + source +
                    "') WHERE id = '" + id + "'");
    }
    // Decryption failure is a server-side fault, as upstream reports it:
    // 500 with the generic JSON error, saying nothing about keys or data.
    const HttpResponse moved = send("GET", secretPath(target) + "/payload", who);
    CHECK(moved.status == 500);
    CHECK(moved.header("content-type") == "application/json");
    CHECK(description(moved) == "Internal failure seen - please contact site administrator.");
    CHECK(moved.body.find("plaintext") == std::string::npos);
    CHECK(moved.body.find("ecrypt") == std::string::npos);

    const HttpResponse cross = send("GET", secretPath(other_project_target) + "/payload",
                                    identity(stack().sql("SELECT project_id FROM secrets WHERE id = '" +
                                                         other_project_target + "'")));
    CHECK(cross.status == 500);
    CHECK(cross.body.find("plaintext") == std::string::npos);

    // The source still decrypts, and the workers still serve requests.
    CHECK(send("GET", secretPath(source) + "/payload", who).body == "source-plaintext");
}

namespace {

// Replaces the value of `name` in the [crypto] section of the stack's
// generated configuration file.
void setConfigOption(const std::string& name, const std::string& value) {
    const std::string path = stack().configPath();
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::regex line("^" + name + "[ \\t]*=.*$", std::regex::multiline);
    REQUIRE(std::regex_search(text.str(), line));
    const std::string updated = std::regex_replace(text.str(), line, name + " = " + value);
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << updated;
    }
    ::chmod(temporary.c_str(), 0600);
    std::filesystem::rename(temporary, path);
}

int countInLog(const std::string& file, const std::string& event) {
    std::ifstream in(stack().dir() + "/log/" + file);
    std::string line;
    int found = 0;
    while (std::getline(in, line)) {
        if (line.find("] " + event) != std::string::npos) ++found;
    }
    return found;
}

// Sends SIGHUP to the barbican-fcgi master of the stack and waits until its
// new workers run and the old ones have exited.
void reloadFcgi() {
    const int reloads = countInLog("barbican-fcgi.log", "reload_finished");
    const int exits = countInLog("barbican-fcgi.log", "worker_exited");
    std::ifstream pid_file(stack().dir() + "/run/barbican-fcgi.pid");
    long pid = 0;
    pid_file >> pid;
    REQUIRE(pid > 1);
    REQUIRE(::kill(static_cast<pid_t>(pid), SIGHUP) == 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline &&
           (countInLog("barbican-fcgi.log", "reload_finished") <= reloads ||
            countInLog("barbican-fcgi.log", "worker_exited") < exits + 4)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(countInLog("barbican-fcgi.log", "reload_finished") > reloads);
    REQUIRE(countInLog("barbican-fcgi.log", "worker_exited") >= exits + 4);
}

struct StoredSecret {
    Headers who;
    std::string id;
    std::string payload;
};

}  // namespace

TEST_CASE("secrets master key rotation under load", "[e2e][secrets]") {
    const std::string etc = stack().dir() + "/etc";
    const std::string old_key = etc + "/master.key";
    const std::string new_key = etc + "/master-rotated.key";
    std::filesystem::remove(new_key);
    core::MasterKey::generateFile(new_key);
    const std::string new_key_id = core::MasterKey::loadFile(new_key).id();

    std::mutex mutex;
    std::vector<StoredSecret> stored;
    std::vector<std::string> failures;
    for (int i = 0; i < 3; ++i) {
        const Headers who = identity(newProjectId());
        const std::string payload = "before " + std::to_string(i);
        stored.push_back(StoredSecret{who, createText(who, payload), payload});
    }

    // Traffic during the rotation: create and read back, with a new project
    // every fourth round, for at most 60 seconds.
    std::atomic<bool> stop{false};
    std::thread traffic([&] {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        Headers who = identity(newProjectId());
        for (int round = 0; !stop.load() && std::chrono::steady_clock::now() < deadline; ++round) {
            if (round % 4 == 0) who = identity(newProjectId());
            const std::string payload = "during " + std::to_string(round);
            const HttpResponse created = postSecret(
                who, object{{"name", "r"}, {"payload", payload}, {"payload_content_type", "text/plain"}});
            std::lock_guard<std::mutex> lock(mutex);
            if (created.status != 201) {
                failures.push_back("POST " + std::to_string(created.status) + " " + created.body);
                continue;
            }
            const std::string id = idOf(std::string(created.json().at("secret_ref").as_string()));
            const HttpResponse read = send("GET", secretPath(id) + "/payload", who);
            if (read.status != 200 || read.body != payload)
                failures.push_back("GET " + std::to_string(read.status) + " " + read.body);
            stored.push_back(StoredSecret{who, id, payload});
        }
    });

    // Step 1: every worker learns the new key; step 2 makes it current. Old
    // workers that still serve during the second reload can then read the
    // project keys that new workers wrap.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    setConfigOption("previous_master_key_files", new_key);
    reloadFcgi();
    setConfigOption("master_key_file", new_key);
    setConfigOption("previous_master_key_files", old_key);
    reloadFcgi();

    int status = -1;
    const std::string output = runCommand("'" + stack().binDir() + "/barbican-admin' --config '" + stack().configPath() +
                                              "' rotate-master-key --new-master-key-file '" + new_key +
                                              "' --batch-size 2 2>&1",
                                          &status);
    INFO(output);
    CHECK(status == 0);
    CHECK_THAT(output, Catch::Contains("rewrapped 2/"));
    CHECK(count("SELECT count(*) FROM project_keys WHERE master_key_id <> '" + new_key_id + "'") == 0);

    std::this_thread::sleep_for(std::chrono::seconds(1));
    stop = true;
    traffic.join();
    CHECK(failures.empty());
    for (const auto& failure : failures) WARN(failure);

    // Without the old key, fresh workers must unwrap every key with the new one.
    setConfigOption("previous_master_key_files", "");
    reloadFcgi();
    std::size_t readable = 0;
    for (const StoredSecret& secret : stored) {
        const HttpResponse read = send("GET", secretPath(secret.id) + "/payload", secret.who);
        if (read.status == 200 && read.body == secret.payload) ++readable;
    }
    CHECK(readable == stored.size());
    CHECK(stored.size() > 3);

    // Put the stack back in its usual layout (etc/master.key, no earlier
    // keys) for the tests that follow, now holding the new key.
    std::filesystem::copy_file(new_key, old_key + ".tmp", std::filesystem::copy_options::overwrite_existing);
    ::chmod((old_key + ".tmp").c_str(), 0600);
    std::filesystem::rename(old_key + ".tmp", old_key);
    setConfigOption("master_key_file", old_key);
    reloadFcgi();
    CHECK(stack().stackCommand("stop-one", "runner") == 0);
    CHECK(stack().stackCommand("start-one", "runner") == 0);
    CHECK(send("GET", secretPath(stored.front().id) + "/payload", stored.front().who).body == stored.front().payload);
}

TEST_CASE("secrets purge old deleted rows", "[e2e][secrets]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    const std::string old_id = createText(who, "old");
    const std::string recent_id = createText(who, "recent");
    const std::string live_id = createText(who, "live");
    REQUIRE(send("PUT", secretPath(old_id) + "/metadata", withJson(who), R"({"metadata": {"k": "v"}})").status == 201);
    REQUIRE(send("DELETE", secretPath(old_id), who).status == 204);
    REQUIRE(send("DELETE", secretPath(recent_id), who).status == 204);
    stack().sql("UPDATE secrets SET deleted_at = (now() AT TIME ZONE 'utc') - interval '10 days' WHERE id = '" + old_id + "'");

    const std::string admin = "'" + stack().binDir() + "/barbican-admin' --config '" + stack().configPath() + "' ";
    int status = -1;
    const std::string output = runCommand(admin + "purge --older-than-days 5 2>&1", &status);
    INFO(output);
    CHECK(status == 0);
    CHECK_THAT(output, Catch::Contains("  secrets "));
    CHECK_THAT(output, Catch::Contains("  transport_keys "));
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + old_id + "'") == 0);
    CHECK(count("SELECT count(*) FROM secret_user_metadata WHERE secret_id = '" + old_id + "'") == 0);
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + recent_id + "' AND deleted") == 1);
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + live_id + "' AND NOT deleted") == 1);

    for (const std::string bad : {"purge --older-than-days -1", "purge --older-than-days soon", "purge",
                                  "rotate-master-key"}) {
        INFO(bad);
        int bad_status = 0;
        const std::string message = runCommand(admin + bad + " 2>&1", &bad_status);
        CHECK(bad_status != 0);
        CHECK_THAT(message, Catch::Contains("--"));
    }
    CHECK(count("SELECT count(*) FROM secrets WHERE id = '" + recent_id + "'") == 1);
}
