// Secret payloads must never reach a log file or an error body: payloads
// carrying a unique marker go through success and error paths, then every
// log of the stack is searched for the marker.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/crypto.h"
#include "tests/support/api.h"
#include "tests/support/stack.h"

namespace {

using namespace testsupport;

TestStack& stack() { return TestStack::get(); }

Headers withHeader(Headers base, const std::string& name, const std::string& value) {
    base.emplace_back(name, value);
    return base;
}

}  // namespace

TEST_CASE("log canary payloads stay out of logs", "[e2e][canary]") {
    // Letters and digits only, 38 characters: as base64 it leaves an
    // incomplete quantum, so "marker + x" never decodes.
    std::string marker = "canary" + core::newUuidV4();
    marker.erase(std::remove(marker.begin(), marker.end(), '-'), marker.end());
    REQUIRE(marker.size() == 38);

    const HttpClient client = stack().client();
    const Headers who = identity(newProjectId(), "", "canary-user");
    std::vector<HttpResponse> errors;
    auto expectError = [&](const HttpResponse& response, int status) {
        INFO(response.body);
        CHECK(response.status == status);
        errors.push_back(response);
    };
    auto post = [&](const std::string& body, const std::string& content_type = "application/json") {
        return client.request("POST", "/v1/secrets", withHeader(who, "Content-Type", content_type), body);
    };

    const std::string text_body = "{\"payload\": \"" + marker + "\", \"payload_content_type\": \"text/plain\"}";
    const HttpResponse stored = post(text_body);
    REQUIRE(stored.status == 201);
    const std::string id = idOf(std::string(stored.json().at("secret_ref").as_string()));
    const HttpResponse read = client.request("GET", "/v1/secrets/" + id + "/payload", who);
    CHECK(read.body == marker);

    expectError(post("{\"payload\": \"" + marker + "\", \"payload_content_type\": \"text/plain\","), 400);
    expectError(post("{\"payload\": \"" + marker + std::string(20001, 'x') + "\", \"payload_content_type\": \"text/plain\"}"), 413);
    expectError(post(text_body, "text/plain"), 415);
    expectError(post("{\"payload\": \"" + marker + "x\", \"payload_content_type\": \"application/octet-stream\","
                     " \"payload_content_encoding\": \"base64\"}"), 400);
    expectError(post("{\"payload\": \"" + marker + "\", \"payload_content_type\": \"text/plain; charset=latin1\"}"), 400);
    expectError(post("{\"payload\": [\"" + marker + "\"], \"payload_content_type\": \"text/plain\"}"), 400);
    expectError(post("{\"payload\": \"" + marker + "\"}"), 400);
    expectError(post("{\"payload\": \"" + marker + "\", \"payload_content_type\": \"text/plain\", \"bit_length\": \"x\"}"), 400);

    const std::string secret_path = "/v1/secrets/" + id;
    expectError(client.request("PUT", secret_path, withHeader(who, "Content-Type", "text/plain"), marker), 409);
    expectError(client.request("PUT", secret_path, withHeader(who, "Content-Type", "application/json"), marker), 415);
    expectError(client.request("PUT", secret_path, withHeader(who, "Content-Type", "text/plain"),
                               marker + std::string(20001, 'x')), 413);
    expectError(client.request("PUT", secret_path, identity(newProjectId()), marker), 403);
    const std::string empty_id = idOf(createTextSecret(client, who, "placeholder"));
    client.request("DELETE", "/v1/secrets/" + empty_id, who);
    const HttpResponse metadata_only =
        client.request("POST", "/v1/secrets", withHeader(who, "Content-Type", "application/json"), "{}");
    REQUIRE(metadata_only.status == 201);
    const std::string metadata_only_path = "/v1/secrets/" + idOf(std::string(metadata_only.json().at("secret_ref").as_string()));
    Headers base64_put = withHeader(who, "Content-Type", "application/octet-stream");
    base64_put.emplace_back("Content-Encoding", "base64");
    expectError(client.request("PUT", metadata_only_path, base64_put, marker + "x"), 400);
    expectError(client.request("PUT", "/v1/secrets/" + empty_id, withHeader(who, "Content-Type", "text/plain"), marker), 404);

    // A payload that fails to decrypt: the marker's ciphertext under another secret.
    const std::string victim = idOf(createTextSecret(client, who, "victim"));
    stack().sql("UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets WHERE id = '" + id + "') WHERE id = '" +
                victim + "'");
    expectError(client.request("GET", "/v1/secrets/" + victim + "/payload", who), 500);

    for (const HttpResponse& response : errors) {
        INFO(response.status << " " << response.body.substr(0, 200));
        CHECK(response.body.find(marker) == std::string::npos);
        CHECK(response.body.find("canary") == std::string::npos);
    }

    // nginx flushes its buffered access log every second.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const std::string logs = stack().allLogs();
    REQUIRE(logs.size() > 0);
    CHECK(logs.find(id) != std::string::npos);  // the logs do cover these requests
    CHECK(logs.find(marker) == std::string::npos);
    CHECK(stack().sql("SELECT count(*) FROM secrets WHERE position(convert_to('" + marker + "', 'UTF8') IN ciphertext) > 0") == "0");
}
