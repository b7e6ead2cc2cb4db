// End-to-end tests of /v1/orders against the private test stack and its
// job-runner: generation results, failures, validation, policy, listing,
// quotas, and the time from POST to ACTIVE.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "tests/jobs/order_test_support.h"

namespace {

using namespace testsupport;
using namespace ordertest;
using boost::json::object;

HttpResponse send(const std::string& method, const std::string& target, const Headers& headers = {},
                  const std::string& body = {}) {
    return stack().client().request(method, target, headers, body);
}

Headers withHeader(Headers base, const std::string& name, const std::string& value) {
    base.emplace_back(name, value);
    return base;
}

std::string text(const object& json) { return boost::json::serialize(json); }

std::string str(const boost::json::value& value) { return std::string(value.as_string()); }

// Writes `content` to a private file under the stack folder and returns its path.
std::string writePrivateFile(const std::string& name, const std::string& content) {
    const std::string path = stack().dir() + "/run/" + name;
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << content;
    }
    ::chmod(path.c_str(), 0600);
    return path;
}

// The container's links as "name=secret_id" lines, in insertion order.
std::vector<std::pair<std::string, std::string>> containerLinks(const std::string& container_id) {
    std::vector<std::pair<std::string, std::string>> links;
    std::istringstream rows(stack().sql("SELECT name, secret_id FROM container_secrets WHERE container_id = '" +
                                        container_id + "' ORDER BY created_at"));
    std::string row;
    while (std::getline(rows, row)) {
        const auto bar = row.find('|');
        if (bar != std::string::npos) links.emplace_back(row.substr(0, bar), row.substr(bar + 1));
    }
    return links;
}

std::string secretOf(const std::vector<std::pair<std::string, std::string>>& links, const std::string& name) {
    for (const auto& [link, id] : links) {
        if (link == name) return id;
    }
    return {};
}

// Runs openssl and returns its output; fails the test on a non-zero status.
std::string openssl(const std::string& arguments) {
    int status = 0;
    const std::string out = runCommand("openssl " + arguments + " 2>&1", &status);
    INFO("openssl " << arguments << " -> " << out);
    REQUIRE(status == 0);
    return out;
}

}  // namespace

TEST_CASE("orders key order completes", "[e2e][orders]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "", "u-key");

    const HttpResponse posted = postOrder(who, keyOrderBody(256, "backup-wrap-key"));
    INFO(posted.body);
    REQUIRE(posted.status == 202);
    const std::string order_ref = str(posted.json().at("order_ref"));
    CHECK(posted.header("location") == order_ref);
    CHECK(order_ref.rfind(stack().baseUrl() + "/v1/orders/", 0) == 0);
    CHECK(posted.json().as_object().size() == 1);

    const object order = waitForOrder(who, idOf(order_ref));
    INFO(text(order));
    REQUIRE(str(order.at("status")) == "ACTIVE");
    CHECK(str(order.at("order_ref")) == order_ref);
    CHECK(str(order.at("type")) == "key");
    CHECK(str(order.at("creator_id")) == "u-key");
    CHECK(str(order.at("sub_status")) == "Unknown");
    CHECK(str(order.at("sub_status_message")) == "Unknown");
    CHECK_FALSE(order.contains("error_status_code"));
    CHECK_FALSE(order.contains("error_reason"));
    CHECK_FALSE(order.contains("container_ref"));
    CHECK(order.at("meta") == boost::json::parse(R"({"name":"backup-wrap-key","algorithm":"aes","bit_length":256,)"
                                                 R"("mode":"cbc","expiration":null})"));
    CHECK(order.contains("created"));
    CHECK(order.contains("updated"));

    const std::string secret_ref = str(order.at("secret_ref"));
    CHECK(secret_ref.rfind(stack().baseUrl() + "/v1/secrets/", 0) == 0);
    const std::string secret_id = idOf(secret_ref);
    CHECK(storedPayload(secret_id).size() == 32);
    CHECK(stack().sql("SELECT secret_type, name, algorithm, bit_length, mode, creator_id, content_type, project_id"
                      " FROM secrets WHERE id = '" + secret_id + "'") ==
          "symmetric|backup-wrap-key|aes|256|cbc|u-key|application/octet-stream|" + project);
    CHECK(countRows("secrets WHERE project_id = '" + project + "'") == 1);
}

TEST_CASE("orders key order copies attributes", "[e2e][orders]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    const std::string id = createOrder(who, R"({"type":"key","meta":{"algorithm":"hmacsha256","bit_length":128,)"
                                            R"("expiration":"2099-01-02T03:04:05+01:00",)"
                                            R"("payload_content_type":"text/plain; charset=utf-8","extra":[1,2]}})");
    const object order = waitForOrder(who, id);
    INFO(text(order));
    REQUIRE(str(order.at("status")) == "ACTIVE");
    CHECK_FALSE(order.contains("creator_id"));
    CHECK(str(order.at("meta").at("expiration")) == "2099-01-02T02:04:05");
    CHECK(order.at("meta").at("extra") == boost::json::parse("[1,2]"));
    CHECK(order.at("meta").at("name").is_null());

    const std::string secret_id = idOf(str(order.at("secret_ref")));
    CHECK(storedPayload(secret_id).size() == 16);
    CHECK(stack().sql("SELECT name IS NULL, mode IS NULL, creator_id IS NULL, content_type, expiration"
                      " FROM secrets WHERE id = '" + secret_id + "'") ==
          "t|t|t|text/plain|2099-01-02 02:04:05");
}

TEST_CASE("orders xts key doubles size", "[e2e][orders]") {
    const Headers who = identity(newProjectId());
    const std::string id = createOrder(who, R"({"type":"key","meta":{"algorithm":"aes","bit_length":512,"mode":"xts"}})");
    const object order = waitForOrder(who, id);
    REQUIRE(str(order.at("status")) == "ACTIVE");
    CHECK(storedPayload(idOf(str(order.at("secret_ref")))).size() == 64);
}

TEST_CASE("orders rsa pair in container", "[e2e][orders]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-rsa");
    const std::string passphrase = "correct horse battery staple";
    const std::string id = createOrder(
        who, R"({"type":"asymmetric","meta":{"name":"web-tls","algorithm":"rsa","bit_length":2048,"passphrase":")" +
                 passphrase + R"("}})");
    const object order = waitForOrder(who, id, std::chrono::seconds(60));
    INFO(text(order));
    REQUIRE(str(order.at("status")) == "ACTIVE");
    CHECK_FALSE(order.contains("secret_ref"));
    CHECK_FALSE(order.at("meta").as_object().contains("passphrase"));
    CHECK(order.at("meta") ==
          boost::json::parse(R"({"name":"web-tls","algorithm":"rsa","bit_length":2048,"expiration":null})"));

    // The passphrase is stored only encrypted, never in meta.
    CHECK(stack().sql("SELECT meta LIKE '%horse%', passphrase_ciphertext IS NOT NULL,"
                      " position(convert_to('horse', 'UTF8') in passphrase_ciphertext) FROM orders WHERE id = '" +
                      id + "'") == "f|t|0");

    const std::string container_ref = str(order.at("container_ref"));
    CHECK(container_ref.rfind(stack().baseUrl() + "/v1/containers/", 0) == 0);
    const std::string container_id = idOf(container_ref);
    CHECK(stack().sql("SELECT type, name, creator_id, project_id FROM containers WHERE id = '" + container_id + "'") ==
          "rsa|web-tls|u-rsa|" + project);
    const auto links = containerLinks(container_id);
    REQUIRE(links.size() == 3);
    CHECK(links[0].first == "private_key");
    CHECK(links[1].first == "public_key");
    CHECK(links[2].first == "private_key_passphrase");

    const std::string private_id = secretOf(links, "private_key");
    const std::string public_id = secretOf(links, "public_key");
    const std::string passphrase_id = secretOf(links, "private_key_passphrase");
    for (const auto& [secret_id, type] : {std::pair{private_id, "private"}, std::pair{public_id, "public"},
                                          std::pair{passphrase_id, "passphrase"}}) {
        CHECK(stack().sql("SELECT secret_type, name, algorithm, bit_length, creator_id, content_type FROM secrets"
                          " WHERE id = '" + secret_id + "'") ==
              std::string(type) + "|web-tls|rsa|2048|u-rsa|application/octet-stream");
    }
    CHECK(storedPayload(passphrase_id) == passphrase);

    const std::string private_pem = storedPayload(private_id);
    const std::string public_pem = storedPayload(public_id);
    CHECK(private_pem.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0) == 0);
    CHECK(public_pem.rfind("-----BEGIN PUBLIC KEY-----", 0) == 0);
    const std::string private_path = writePrivateFile("order-rsa-private-" + id + ".pem", private_pem);
    const std::string public_path = writePrivateFile("order-rsa-public-" + id + ".pem", public_pem);
    const std::string derived = openssl("pkey -in '" + private_path + "' -passin 'pass:" + passphrase + "' -pubout");
    const std::string normalized = openssl("pkey -pubin -in '" + public_path + "' -pubout");
    CHECK(derived == normalized);
    CHECK(openssl("pkey -pubin -in '" + public_path + "' -text -noout").find("Public-Key: (2048 bit)") !=
          std::string::npos);
    CHECK(openssl("pkey -pubin -in '" + public_path + "' -text -noout").find("Exponent: 65537") != std::string::npos);
    int wrong_status = 0;
    runCommand("openssl pkey -in '" + private_path + "' -passin pass:wrong -noout 2>&1", &wrong_status);
    CHECK(wrong_status != 0);
    ::unlink(private_path.c_str());
    ::unlink(public_path.c_str());

    // Generated resources are the order's only rows of the project.
    CHECK(countRows("secrets WHERE project_id = '" + project + "'") == 3);
    CHECK(countRows("containers WHERE project_id = '" + project + "'") == 1);
}

TEST_CASE("orders rsa without passphrase", "[e2e][orders]") {
    const Headers who = identity(newProjectId());
    const std::string id = createOrder(who, R"({"type":"asymmetric","meta":{"algorithm":"RSA","bit_length":1024}})");
    const object order = waitForOrder(who, id, std::chrono::seconds(60));
    REQUIRE(str(order.at("status")) == "ACTIVE");
    const std::string container_id = idOf(str(order.at("container_ref")));
    CHECK(stack().sql("SELECT type, name IS NULL FROM containers WHERE id = '" + container_id + "'") == "rsa|t");
    const auto links = containerLinks(container_id);
    REQUIRE(links.size() == 2);
    const std::string private_path =
        writePrivateFile("order-rsa-plain-" + id + ".pem", storedPayload(secretOf(links, "private_key")));
    const std::string public_path =
        writePrivateFile("order-rsa-plain-public-" + id + ".pem", storedPayload(secretOf(links, "public_key")));
    CHECK(openssl("pkey -in '" + private_path + "' -pubout") == openssl("pkey -pubin -in '" + public_path + "' -pubout"));
    ::unlink(private_path.c_str());
    ::unlink(public_path.c_str());
}

TEST_CASE("orders dsa pair is DER", "[e2e][orders]") {
    const Headers who = identity(newProjectId());
    const std::string id = createOrder(who, R"({"type":"asymmetric","meta":{"algorithm":"dsa","bit_length":1024}})");
    const object order = waitForOrder(who, id, std::chrono::seconds(120));
    INFO(text(order));
    REQUIRE(str(order.at("status")) == "ACTIVE");
    const std::string container_id = idOf(str(order.at("container_ref")));
    CHECK(stack().sql("SELECT type FROM containers WHERE id = '" + container_id + "'") == "dsa");
    const auto links = containerLinks(container_id);
    REQUIRE(links.size() == 2);
    const std::string private_path =
        writePrivateFile("order-dsa-" + id + ".der", storedPayload(secretOf(links, "private_key")));
    const std::string public_path =
        writePrivateFile("order-dsa-public-" + id + ".der", storedPayload(secretOf(links, "public_key")));
    CHECK(openssl("pkey -inform DER -in '" + private_path + "' -pubout") ==
          openssl("pkey -pubin -inform DER -in '" + public_path + "' -pubout"));
    ::unlink(private_path.c_str());
    ::unlink(public_path.c_str());
}

TEST_CASE("orders unsupported requests end in ERROR", "[e2e][orders]") {
    struct Case {
        const char* body;
        const char* code;
        const char* reason;
    };
    const std::string failure = "Process TypeOrder failure seen - please contact site administrator.";
    const std::string not_supported = "Process TypeOrder issue seen - Requested algorithm is not supported.";
    const std::string no_generator = "Process TypeOrder issue seen - Secret generate supported plugin not found..";
    const std::vector<Case> cases = {
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":512}})", "500", failure.c_str()},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":24}})", "500", failure.c_str()},
        {R"({"type":"key","meta":{"algorithm":"rsa","bit_length":2048}})", "400", not_supported.c_str()},
        {R"({"type":"key","meta":{"algorithm":"desede","bit_length":192}})", "400", not_supported.c_str()},
        {R"({"type":"key","meta":{"algorithm":"3des","bit_length":192}})", "400", no_generator.c_str()},
        {R"({"type":"asymmetric","meta":{"algorithm":"rsa","bit_length":3072}})", "500", failure.c_str()},
        {R"({"type":"asymmetric","meta":{"algorithm":"ec","bit_length":256}})", "400", not_supported.c_str()},
        {R"({"type":"asymmetric","meta":{"algorithm":"aes","bit_length":256}})", "400", not_supported.c_str()},
        {R"({"type":"asymmetric","meta":{"algorithm":"foo","bit_length":256}})", "400", no_generator.c_str()},
    };
    const std::string project = newProjectId();
    const Headers who = identity(project);
    for (const Case& c : cases) {
        INFO(c.body);
        const std::string id = createOrder(who, c.body);
        const object order = waitForOrder(who, id);
        INFO(text(order));
        CHECK(str(order.at("status")) == "ERROR");
        CHECK(str(order.at("error_status_code")) == c.code);
        CHECK(str(order.at("error_reason")) == c.reason);
        CHECK_FALSE(order.contains("sub_status"));
        CHECK_FALSE(order.contains("secret_ref"));
        CHECK_FALSE(order.contains("container_ref"));
    }
    CHECK(countRows("secrets WHERE project_id = '" + project + "'") == 0);
    CHECK(countRows("containers WHERE project_id = '" + project + "'") == 0);
}

TEST_CASE("orders invalid requests answer 400", "[e2e][orders]") {
    struct Case {
        std::string body;
        std::string description_part;
    };
    const std::string long_text(256, 'n');
    const std::vector<Case> cases = {
        {"xx", "Malformed JSON"},
        {"[]", "JSON object"},
        {R"({"type":"key"})", "'meta' is a required property"},
        {R"({"type":"key","meta":"x"})", "Invalid property: 'meta'"},
        {R"({"meta":{"algorithm":"aes","bit_length":256}})", "'type' is a required property"},
        {R"({"type":null,"meta":{"algorithm":"aes","bit_length":256}})", "Invalid property: 'type'"},
        {R"({"type":"KEY","meta":{"algorithm":"aes","bit_length":256}})", "Invalid property: 'type'"},
        {R"({"type":"certificate","meta":{"algorithm":"aes","bit_length":256}})", "Invalid property: 'type'"},
        {R"({"type":"key","meta":{"bit_length":256}})", "'algorithm' is required field for key type order"},
        {R"({"type":"key","meta":{"algorithm":"","bit_length":256}})", "'algorithm' is required field"},
        {R"({"type":"key","meta":{"algorithm":null,"bit_length":256}})", "Invalid property: 'algorithm'"},
        {R"({"type":"key","meta":{"algorithm":")" + long_text + R"(","bit_length":256}})", "Invalid property: 'algorithm'"},
        {R"({"type":"asymmetric","meta":{"algorithm":"rsa"}})", "'bit_length' is required field for asymmetric key type order"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":0}})", "Invalid property: 'bit_length'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":-8}})", "Invalid property: 'bit_length'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":32768}})", "Invalid property: 'bit_length'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":"256"}})", "Invalid property: 'bit_length'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256.5}})", "Invalid property: 'bit_length'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":true}})", "Invalid property: 'bit_length'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":12}})", "Provided field value is not supported"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"mode":5}})", "Invalid property: 'mode'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"name":5}})", "Invalid property: 'name'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"name":")" + long_text + R"("}})", "Invalid property: 'name'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"expiration":"2001-01-01"}})", "'expiration' is before current time"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"expiration":"soon"}})", "Invalid property: 'expiration'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"payload_content_type":"text/html"}})", "Invalid property: 'payload_content_type'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"payload_content_encoding":"hex"}})", "Invalid property: 'payload_content_encoding'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"secret_type":"foo"}})", "Invalid property: 'secret_type'"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"payload":"abc"}})", "payload"},
        {R"({"type":"key","meta":{"algorithm":"aes","bit_length":256,"payload":"abc","payload_content_type":"text/plain"}})", "'payload' not allowed"},
        {R"({"type":"asymmetric","meta":{"algorithm":"rsa","bit_length":1024,"passphrase":5}})", "Invalid property: 'passphrase'"},
    };
    const std::string project = newProjectId();
    const Headers who = identity(project);
    for (const Case& c : cases) {
        const HttpResponse response = postOrder(who, c.body);
        INFO(c.body << " -> " << response.status << " " << response.body);
        CHECK(response.status == 400);
        CHECK(response.header("content-type") == "application/json");
        const boost::json::value json = response.json();
        REQUIRE(json.is_object());
        CHECK(json.at("code") == 400);
        CHECK(str(json.at("title")) == "Bad Request");
        CHECK(str(json.at("description")).find(c.description_part) != std::string::npos);
    }
    CHECK(countRows("orders WHERE project_id = '" + project + "'") == 0);

    const HttpResponse wrong_type = send("POST", "/v1/orders", withHeader(who, "Content-Type", "text/plain"),
                                         keyOrderBody());
    CHECK(wrong_type.status == 415);
    const HttpResponse wrong_accept =
        send("POST", "/v1/orders", withHeader(withJson(who), "Accept", "text/plain"), keyOrderBody());
    CHECK(wrong_accept.status == 406);
    CHECK(countRows("orders WHERE project_id = '" + project + "'") == 0);
}

TEST_CASE("orders reference quirks accepted", "[e2e][orders]") {
    // The reference accepts these; so do we, with the noted differences.
    const Headers who = identity(newProjectId());

    const std::string integral = createOrder(who, R"({"type":"key","meta":{"algorithm":"aes","bit_length":256.0}})");
    const object integral_order = waitForOrder(who, integral);
    CHECK(str(integral_order.at("status")) == "ACTIVE");
    CHECK(integral_order.at("meta").at("bit_length") == 256);

    // A passphrase on a key order is ignored and, unlike the reference, not echoed.
    const std::string keyed =
        createOrder(who, R"({"type":"key","meta":{"algorithm":"aes","bit_length":128,"passphrase":"not-used"}})");
    const object keyed_order = waitForOrder(who, keyed);
    CHECK(str(keyed_order.at("status")) == "ACTIVE");
    CHECK_FALSE(keyed_order.at("meta").as_object().contains("passphrase"));
    CHECK(stack().sql("SELECT passphrase_ciphertext IS NULL, meta LIKE '%not-used%' FROM orders WHERE id = '" + keyed +
                      "'") == "t|f");

    const std::string empty_type =
        createOrder(who, R"({"type":"key","meta":{"algorithm":"aes","bit_length":128,"payload_content_type":""}})");
    const object empty_type_order = waitForOrder(who, empty_type);
    CHECK(str(empty_type_order.at("status")) == "ACTIVE");
    CHECK(stack().sql("SELECT content_type FROM secrets WHERE id = '" + idOf(str(empty_type_order.at("secret_ref"))) +
                      "'") == "application/octet-stream");
}

TEST_CASE("orders policy and project scope", "[e2e][orders]") {
    const std::string project = newProjectId();
    const Headers admin = identity(project, "admin", "u-admin");
    const std::string id = createOrder(admin, keyOrderBody());
    waitForOrder(admin, id);
    const std::string path = "/v1/orders/" + id;

    // Another project does not see the order at all.
    const Headers stranger = identity(newProjectId(), "admin");
    CHECK(send("GET", path, stranger).status == 404);
    CHECK(send("DELETE", path, stranger).status == 404);
    const HttpResponse not_found = send("GET", path, stranger);
    CHECK(str(not_found.json().at("description")) == "Order not found.");

    CHECK(send("GET", path, identity(project, "observer")).status == 200);
    CHECK(send("GET", path, withHeader(admin, "Accept", "text/plain")).status == 406);
    CHECK(send("GET", path, identity(project, "audit")).status == 200);
    CHECK(send("GET", path, identity(project, "reader-of-nothing")).status == 403);
    CHECK(send("GET", "/v1/orders", identity(project, "observer")).status == 200);
    CHECK(send("GET", "/v1/orders", identity(project, "audit")).status == 403);
    const HttpResponse observer_post = postOrder(identity(project, "observer"), keyOrderBody());
    CHECK(observer_post.status == 403);
    CHECK(str(observer_post.json().at("description")) ==
          "Order creation attempt not allowed - please review your user/project privileges");
    CHECK(postOrder(identity(project, "creator"), "{}").status == 400);

    // DELETE: 404 for an unknown order comes before the role check.
    CHECK(send("DELETE", "/v1/orders/" + core::newUuidV4(), identity(project, "observer")).status == 404);
    const HttpResponse creator_delete = send("DELETE", path, identity(project, "creator", "u-admin"));
    CHECK(creator_delete.status == 403);
    CHECK(str(creator_delete.json().at("description")) ==
          "Order deletion attempt not allowed - please review your user/project privileges");
    CHECK(send("GET", path, admin).status == 200);

    const HttpResponse deleted = send("DELETE", path, admin);
    CHECK(deleted.status == 204);
    CHECK(deleted.body.empty());
    CHECK(send("GET", path, admin).status == 404);
    CHECK(send("DELETE", path, admin).status == 404);
    CHECK(stack().sql("SELECT deleted, deleted_at IS NOT NULL FROM orders WHERE id = '" + id + "'") == "t|t");
    // Deleting the order keeps what it generated.
    CHECK(countRows("secrets WHERE project_id = '" + project + "' AND NOT deleted") == 1);

    const HttpResponse put = send("PUT", "/v1/orders", withJson(admin), "{}");
    CHECK(put.status == 405);
    CHECK(str(put.json().at("description")) == "Order update is not supported.");
    CHECK(send("PUT", "/v1/orders", withJson(identity(project, "observer")), "{}").status == 403);
    const HttpResponse post_one = send("POST", path, withJson(admin), "{}");
    CHECK(post_one.status == 405);
    CHECK(post_one.header("allow") == "DELETE, GET");
    CHECK(send("GET", path + "/sub", admin).status == 404);
    CHECK(send("GET", "/v1/orders/not-a-uuid", admin).status == 404);
    CHECK(send("GET", "/v1/orders/" + std::string(id.size(), 'A'), admin).status == 404);
}

TEST_CASE("orders list paging and meta filter", "[e2e][orders]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        const std::string algorithm = i == 3 ? "des" : "aes";
        ids.push_back(createOrder(who, R"({"type":"key","meta":{"name":"k)" + std::to_string(i) +
                                           R"(","algorithm":")" + algorithm + R"(","bit_length":64}})"));
    }
    REQUIRE(waitUntilNoPending(project, std::chrono::seconds(30)));

    const HttpResponse all = send("GET", "/v1/orders", who);
    REQUIRE(all.status == 200);
    const object page = all.json().as_object();
    CHECK(page.at("total") == 5);
    REQUIRE(page.at("orders").as_array().size() == 5);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        CHECK(idOf(str(page.at("orders").as_array()[i].at("order_ref"))) == ids[i]);
    }
    CHECK_FALSE(page.contains("next"));
    CHECK_FALSE(page.contains("previous"));

    const object middle = send("GET", "/v1/orders?limit=2&offset=2", who).json().as_object();
    REQUIRE(middle.at("orders").as_array().size() == 2);
    CHECK(idOf(str(middle.at("orders").as_array()[0].at("order_ref"))) == ids[2]);
    CHECK(middle.at("total") == 5);
    CHECK(str(middle.at("previous")) == stack().baseUrl() + "/v1/orders?limit=2&offset=0");
    CHECK(str(middle.at("next")) == stack().baseUrl() + "/v1/orders?limit=2&offset=4");

    const object past_end = send("GET", "/v1/orders?offset=10", who).json().as_object();
    CHECK(past_end.at("orders").as_array().empty());
    CHECK(past_end.at("total") == 5);
    CHECK_FALSE(past_end.contains("previous"));

    const object filtered = send("GET", "/v1/orders?meta=des", who).json().as_object();
    CHECK(filtered.at("total") == 1);
    REQUIRE(filtered.at("orders").as_array().size() == 1);
    CHECK(idOf(str(filtered.at("orders").as_array()[0].at("order_ref"))) == ids[3]);
    CHECK(send("GET", "/v1/orders?meta=k1", who).json().at("total") == 1);
    CHECK(send("GET", "/v1/orders?meta=k", who).json().at("total") == 0);
    CHECK(send("GET", "/v1/orders?meta=%25", who).json().at("total") == 0);
    CHECK(send("GET", "/v1/orders?meta=%22%27%5C", who).status == 200);
    CHECK(send("GET", "/v1/orders?meta=", who).json().at("total") == 5);

    // Other projects' orders never show.
    const object other = send("GET", "/v1/orders", identity(newProjectId())).json().as_object();
    CHECK(other.at("total") == 0);
    CHECK(other.at("orders").as_array().empty());
    CHECK(send("GET", "/v1/orders", withHeader(who, "Accept", "text/plain")).status == 406);
}

TEST_CASE("orders quota counts orders only", "[e2e][orders]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    // The first order creates the project row that project_quotas refers to.
    const std::string first = createOrder(who, keyOrderBody());
    stack().sql("INSERT INTO project_quotas (project_id, orders, secrets, containers, created_at, updated_at)"
                " VALUES ('" + project + "', 2, 0, 0, now(), now())");

    // Secrets and containers quotas of 0 do not stop generation.
    const std::string second =
        createOrder(who, R"({"type":"asymmetric","meta":{"algorithm":"rsa","bit_length":1024}})");
    CHECK(str(waitForOrder(who, first).at("status")) == "ACTIVE");
    CHECK(str(waitForOrder(who, second, std::chrono::seconds(60)).at("status")) == "ACTIVE");

    const HttpResponse refused = postOrder(who, keyOrderBody());
    CHECK(refused.status == 403);
    CHECK(str(refused.json().at("description")) ==
          "Order creation issue seen - Creation not allowed because a quota has been reached.");
    CHECK(countRows("orders WHERE project_id = '" + project + "'") == 2);

    // A deleted order frees its place.
    CHECK(send("DELETE", "/v1/orders/" + first, who).status == 204);
    CHECK(postOrder(who, keyOrderBody()).status == 202);
}

TEST_CASE("orders time from POST to ACTIVE", "[e2e][orders]") {
    const std::string project = newProjectId();
    const Headers who = identity(project);
    constexpr int kOrders = 50;
    for (int i = 0; i < kOrders; ++i) {
        const std::string id = createOrder(who, keyOrderBody());
        REQUIRE(str(waitForOrder(who, id).at("status")) == "ACTIVE");
    }
    // created_at is written by the API before the push, updated_at by the
    // job-runner when it stores the key.
    std::istringstream rows(stack().sql(
        "SELECT round(extract(epoch FROM updated_at - created_at) * 1000, 1) FROM orders WHERE project_id = '" +
        project + "' ORDER BY 1"));
    std::vector<double> millis;
    std::string row;
    while (std::getline(rows, row)) millis.push_back(std::stod(row));
    REQUIRE(millis.size() == static_cast<std::size_t>(kOrders));
    const double p50 = millis[millis.size() / 2];
    const double p90 = millis[millis.size() * 9 / 10];
    std::cerr << "orders: POST to ACTIVE over " << kOrders << " sequential key orders: p50 " << p50 << " ms, p90 "
              << p90 << " ms, max " << millis.back() << " ms\n";
    CHECK(p50 < 1000.0);
}
