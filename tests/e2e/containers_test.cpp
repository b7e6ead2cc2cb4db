// End-to-end tests of /v1/containers against the private test stack:
// creation with its validation and type rules, reads, listing, deletion,
// adding and removing secret links, and the containers quota under
// concurrent creates.

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

std::string secretRef(const std::string& id) { return stack().baseUrl() + "/v1/secrets/" + id; }

// Creates a text secret through the API and returns its id.
std::string createSecret(const Headers& who, const std::string& name = "container-test") {
    return idOf(createTextSecret(stack().client(), who, "container-test-value", name));
}

object link(const std::string& name, const std::string& secret_id) {
    return object{{"name", name}, {"secret_ref", secretRef(secret_id)}};
}

HttpResponse postContainer(const Headers& who, const object& body) {
    return send("POST", "/v1/containers", withJson(who), boost::json::serialize(body));
}

// Creates a container and returns its id; fails the test unless 201.
std::string createContainer(const Headers& who, const object& body) {
    const HttpResponse response = postContainer(who, body);
    INFO(response.body);
    REQUIRE(response.status == 201);
    return idOf(std::string(response.json().at("container_ref").as_string()));
}

std::string containerCount(const std::string& project) {
    return sql("SELECT count(*) FROM containers WHERE project_id = '" + project + "' AND NOT deleted");
}

std::string linkCount(const std::string& container_id) {
    return sql("SELECT count(*) FROM container_secrets WHERE container_id = '" + container_id + "'");
}

std::string descriptionOf(const HttpResponse& response) {
    const boost::json::value body = response.json();
    const auto* description = body.is_object() ? body.as_object().if_contains("description") : nullptr;
    return description && description->is_string() ? std::string(description->as_string()) : std::string();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("containers create and read", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-owner");
    const std::string public_key = createSecret(who, "pub");
    const std::string private_key = createSecret(who, "priv");

    const HttpResponse created = postContainer(
        who, object{{"type", "rsa"},
                    {"name", "  web-keys  "},
                    {"secret_refs", boost::json::array{link("public_key", public_key), link("private_key", private_key)}}});
    INFO(created.body);
    REQUIRE(created.status == 201);
    const std::string ref(created.json().at("container_ref").as_string());
    CHECK(created.header("location") == ref);
    CHECK(contains(ref, stack().baseUrl() + "/v1/containers/"));
    const std::string id = idOf(ref);

    CHECK(sql("SELECT name || '|' || type || '|' || creator_id || '|' || status FROM containers WHERE id = '" + id +
              "'") == "web-keys|rsa|u-owner|ACTIVE");
    CHECK(linkCount(id) == "2");

    const HttpResponse read = send("GET", pathOf(ref), who);
    INFO(read.body);
    REQUIRE(read.status == 200);
    const object body = read.json().as_object();
    CHECK(body.at("container_ref").as_string() == ref);
    CHECK(body.at("name") == "web-keys");
    CHECK(body.at("type") == "rsa");
    CHECK(body.at("status") == "ACTIVE");
    CHECK(body.at("creator_id") == "u-owner");
    CHECK(body.at("created").is_string());
    CHECK(body.at("updated") == body.at("created"));
    CHECK(body.at("consumers").as_array().empty());
    const auto& refs = body.at("secret_refs").as_array();
    REQUIRE(refs.size() == 2);
    CHECK(refs[0].at("name") == "public_key");
    CHECK(refs[0].at("secret_ref").as_string() == secretRef(public_key));
    CHECK(refs[1].at("name") == "private_key");
    CHECK(refs[1].at("secret_ref").as_string() == secretRef(private_key));
}

TEST_CASE("containers links without names", "[e2e][containers]") {
    const Headers who = identity(newProjectId(), "admin", "u-1");
    const std::string first = createSecret(who);
    const std::string second = createSecret(who);
    const std::string id = createContainer(
        who, object{{"type", "generic"},
                    {"secret_refs", boost::json::array{object{{"secret_ref", secretRef(first) + "/"}},
                                                       object{{"name", nullptr}, {"secret_ref", secretRef(second)}}}}});

    const HttpResponse read = send("GET", "/v1/containers/" + id, who);
    REQUIRE(read.status == 200);
    const boost::json::value read_body = read.json();
    const auto& refs = read_body.at("secret_refs").as_array();
    REQUIRE(refs.size() == 2);
    CHECK(refs[0].at("name").is_null());
    CHECK(refs[0].at("secret_ref").as_string() == secretRef(first));
    CHECK(refs[1].at("name").is_null());
    CHECK(read.json().at("name").is_null());
}

TEST_CASE("containers invalid bodies rejected", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::string a = createSecret(who);
    const std::string b = createSecret(who);
    const std::string good_a = secretRef(a);
    const std::string good_b = secretRef(b);

    struct Case {
        std::string body;
        std::string expected;  // part of the description
    };
    const std::vector<Case> cases = {
        {R"({})", "'type' is a required property"},
        {R"({"type": "dsa"})", "Invalid property: 'type'"},
        {R"({"type": null})", "Invalid property: 'type'"},
        {R"({"type": "generic", "name": 7})", "Invalid property: 'name'"},
        {R"({"type": "generic", "name": ")" + std::string(256, 'n') + R"("})", "Invalid property: 'name'"},
        {R"({"type": "generic", "secret_refs": "x"})", "Invalid property: 'secret_refs'"},
        {R"({"type": "generic", "secret_refs": [{"name": "a"}]})", "'secret_ref' is a required property"},
        {R"({"type": "generic", "secret_refs": [{"name": "a", "secret_ref": ""}]})", "must not be empty"},
        {R"({"type": "generic", "secret_refs": [{"name": "a", "secret_ref": ")" + good_a +
             R"("}, {"name": "a", "secret_ref": ")" + good_b + R"("}]})",
         "Duplicate reference names"},
        {R"({"type": "generic", "secret_refs": [{"secret_ref": ")" + good_a + R"("}, {"name": "", "secret_ref": ")" +
             good_b + R"("}]})",
         "Duplicate reference names"},
        {R"({"type": "generic", "secret_refs": [{"name": "a", "secret_ref": ")" + good_a +
             R"("}, {"name": "b", "secret_ref": ")" + good_a + R"(/"}]})",
         "Duplicate secret ids"},
        {R"({"type": "rsa", "secret_refs": [{"name": "public_key", "secret_ref": ")" + good_a + R"("}]})",
         "minimum required reference names"},
        {R"({"type": "rsa", "secret_refs": [{"name": "certificate", "secret_ref": ")" + good_a + R"("}]})",
         "reference names are allowed for RSA type"},
        {R"({"type": "certificate", "secret_refs": [{"name": "private_key", "secret_ref": ")" + good_a + R"("}]})",
         "minimum required reference name is 'certificate'"},
        {R"({"type": "certificate", "secret_refs": [{"name": "certificate", "secret_ref": ")" + good_a +
             R"("}, {"name": "public_key", "secret_ref": ")" + good_b + R"("}]})",
         "reference names are allowed for Certificate type"},
        {R"([])", ""},
        {R"({"type": )", "Malformed JSON"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.body);
        const HttpResponse response = send("POST", "/v1/containers", withJson(who), c.body);
        INFO(response.body);
        CHECK(response.status == 400);
        CHECK(contains(descriptionOf(response), c.expected));
    }
    CHECK(containerCount(project) == "0");
}

TEST_CASE("containers foreign refs rejected", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::string secret = createSecret(who);
    const std::vector<std::string> refs = {
        "http://kms.example.test/v1/secrets/" + secret,
        "http://127.0.0.1:1/v1/secrets/" + secret,
        stack().baseUrl() + "/v1/containers/" + secret,
        stack().baseUrl() + "/v1/secretsX/" + secret,
    };
    for (const std::string& secret_ref : refs) {
        CAPTURE(secret_ref);
        const HttpResponse response = postContainer(
            who, object{{"type", "generic"},
                        {"secret_refs", boost::json::array{object{{"name", "a"}, {"secret_ref", secret_ref}}}}});
        INFO(response.body);
        CHECK(response.status == 400);
        CHECK(contains(descriptionOf(response), "must start with '" + stack().baseUrl() + "/v1/secrets/'"));
    }
    CHECK(containerCount(project) == "0");
}

TEST_CASE("containers unusable secrets 404", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const Headers other = identity(newProjectId(), "creator", "u-2");
    const std::string mine = createSecret(who);
    const std::string foreign = createSecret(other);
    const std::string expired = createSecret(who);
    const std::string removed = createSecret(who);
    sql("UPDATE secrets SET expiration = (now() AT TIME ZONE 'utc') - interval '1 hour' WHERE id = '" + expired + "'");
    REQUIRE(send("DELETE", "/v1/secrets/" + removed, who).status == 204);

    struct Case {
        std::string secret_ref;
        std::string name;
    };
    const std::vector<Case> cases = {
        {secretRef(foreign), "other"},
        {secretRef(expired), "expired"},
        {secretRef(removed), "removed"},
        {secretRef(core::newUuidV4()), "unknown"},
        {secretRef("not-a-uuid"), "garbage"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const HttpResponse response =
            postContainer(who, object{{"type", "generic"},
                                      {"secret_refs", boost::json::array{link("fine", mine),
                                                                         object{{"name", c.name},
                                                                                {"secret_ref", c.secret_ref}}}}});
        INFO(response.body);
        CHECK(response.status == 404);
        CHECK(descriptionOf(response) == "Secret provided for '" + c.name + "' doesn't exist.");
    }
    const HttpResponse unnamed = postContainer(
        who, object{{"type", "generic"},
                    {"secret_refs", boost::json::array{object{{"secret_ref", secretRef(foreign)}}}}});
    CHECK(unnamed.status == 404);
    CHECK(descriptionOf(unnamed) == "Secret provided for 'None' doesn't exist.");
    CHECK(containerCount(project) == "0");
}

TEST_CASE("containers list paging and filters", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::vector<std::string> ids = {
        createContainer(who, object{{"type", "generic"}, {"name", "alpha-1"}}),
        createContainer(who, object{{"type", "rsa"}, {"name", "alpha-2"}}),
        createContainer(who, object{{"type", "generic"}, {"name", "beta"}}),
    };
    createContainer(identity(newProjectId(), "creator", "u-2"), object{{"type", "generic"}, {"name", "alpha-x"}});

    const HttpResponse first = send("GET", "/v1/containers?limit=2&name=alpha%25", who);
    INFO(first.body);
    REQUIRE(first.status == 200);
    CHECK(first.json().at("total") == 2);
    CHECK(first.json().at("containers").as_array().size() == 2);
    CHECK_FALSE(first.json().as_object().contains("next"));

    const HttpResponse page = send("GET", "/v1/containers?limit=2", who);
    REQUIRE(page.status == 200);
    const boost::json::value page_body = page.json();
    const auto& containers = page_body.at("containers").as_array();
    REQUIRE(containers.size() == 2);
    CHECK(idOf(std::string(containers[0].at("container_ref").as_string())) == ids[0]);
    CHECK(idOf(std::string(containers[1].at("container_ref").as_string())) == ids[1]);
    CHECK(page.json().at("total") == 3);
    CHECK(page.json().at("next").as_string() == stack().baseUrl() + "/v1/containers?limit=2&offset=2");

    const HttpResponse second = send("GET", "/v1/containers?limit=2&offset=2&type=generic", who);
    REQUIRE(second.status == 200);
    CHECK(second.json().at("total") == 2);
    const boost::json::value second_body = second.json();
    const auto& rest = second_body.at("containers").as_array();
    REQUIRE(rest.size() == 0);
    CHECK_FALSE(second.json().as_object().contains("previous"));

    const HttpResponse typed = send("GET", "/v1/containers?limit=1&offset=1&type=generic", who);
    REQUIRE(typed.status == 200);
    REQUIRE(typed.json().at("containers").as_array().size() == 1);
    CHECK(idOf(std::string(typed.json().at("containers").at(0).at("container_ref").as_string())) == ids[2]);
    // Links carry only limit and offset, never the filters.
    CHECK(typed.json().at("previous").as_string() == stack().baseUrl() + "/v1/containers?limit=1&offset=0");

    CHECK(send("GET", "/v1/containers", identity(project, "audit")).status == 403);
    CHECK(send("GET", "/v1/containers", identity(project, "observer")).status == 200);
}

TEST_CASE("containers read access", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers owner = identity(project, "creator", "u-1");
    const std::string id = createContainer(owner, object{{"type", "generic"}});

    const HttpResponse foreign = send("GET", "/v1/containers/" + id, identity(newProjectId(), "admin", "u-2"));
    CHECK(foreign.status == 403);
    CHECK(contains(descriptionOf(foreign), "Container retrieval attempt not allowed"));

    const HttpResponse unknown = send("GET", "/v1/containers/" + core::newUuidV4(), owner);
    CHECK(unknown.status == 404);
    CHECK(descriptionOf(unknown) == "Secrets container not found.");

    const HttpResponse malformed = send("GET", "/v1/containers/" + id.substr(0, 35) + "X", owner);
    CHECK(malformed.status == 404);
    CHECK(descriptionOf(malformed) == "Not Found. Provided container id is invalid.");

    CHECK(send("GET", "/v1/containers/" + id, identity(project, "observer")).status == 200);
    CHECK(send("POST", "/v1/containers", withJson(identity(project, "observer")), R"({"type": "generic"})").status ==
          403);
    CHECK(send("POST", "/v1/containers", identity(project, "creator"), R"({"type": "generic"})").status == 415);
    CHECK(send("PUT", "/v1/containers/" + id, withJson(owner), "{}").status == 405);
}

TEST_CASE("containers delete keeps secrets", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers owner = identity(project, "creator", "u-1");
    const std::string secret = createSecret(owner);
    const std::string id =
        createContainer(owner, object{{"type", "generic"}, {"secret_refs", boost::json::array{link("s", secret)}}});
    REQUIRE(send("POST", "/v1/containers/" + id + "/consumers", withJson(owner),
                 R"({"name": "lb", "URL": "http://lb"})")
                .status == 200);
    // ACL row written directly: the ACL endpoints are tested elsewhere.
    sql("INSERT INTO container_acls (container_id, project_access, users, created_at, updated_at) VALUES ('" + id +
        "', true, ARRAY['u-9'], now(), now())");

    CHECK(send("DELETE", "/v1/containers/" + id, identity(project, "creator", "u-other")).status == 403);
    CHECK(send("DELETE", "/v1/containers/" + id, identity(newProjectId(), "admin", "u-1")).status == 403);

    const HttpResponse deleted = send("DELETE", "/v1/containers/" + id, owner);
    CHECK(deleted.status == 204);
    CHECK(deleted.body.empty());
    CHECK(sql("SELECT deleted FROM containers WHERE id = '" + id + "'") == "t");
    CHECK(linkCount(id) == "0");
    CHECK(sql("SELECT count(*) FROM container_acls WHERE container_id = '" + id + "'") == "0");
    CHECK(sql("SELECT count(*) FROM container_consumers WHERE container_id = '" + id + "' AND NOT deleted") == "0");
    CHECK(sql("SELECT deleted FROM secrets WHERE id = '" + secret + "'") == "f");

    CHECK(send("GET", "/v1/containers/" + id, owner).status == 404);
    const HttpResponse again = send("DELETE", "/v1/containers/" + id, owner);
    CHECK(again.status == 404);
    CHECK(descriptionOf(again) == "Secrets container not found.");
    CHECK(send("GET", "/v1/secrets/" + secret, owner).status == 200);
}

TEST_CASE("container secrets add and remove", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::string secret = createSecret(who);
    const std::string id = createContainer(who, object{{"type", "generic"}});
    const std::string path = "/v1/containers/" + id + "/secrets";
    const std::string body_a = boost::json::serialize(link("a", secret));

    const HttpResponse added = send("POST", path, withJson(who), body_a);
    INFO(added.body);
    CHECK(added.status == 201);
    CHECK(added.json().at("container_ref").as_string() == stack().baseUrl() + "/v1/containers/" + id);
    CHECK(added.header("location") == stack().baseUrl() + "/v1/containers/" + id);
    CHECK(linkCount(id) == "1");

    const HttpResponse duplicate = send("POST", path, withJson(who), body_a);
    CHECK(duplicate.status == 409);
    CHECK(contains(descriptionOf(duplicate), "already stored in this container"));
    CHECK(linkCount(id) == "1");

    CHECK(send("POST", path, withJson(who), boost::json::serialize(link("b", secret))).status == 201);
    CHECK(send("POST", path, withJson(who), R"({"secret_ref": ")" + secretRef(secret) + R"("})").status == 201);
    CHECK(linkCount(id) == "3");

    const HttpResponse read = send("GET", "/v1/containers/" + id, who);
    REQUIRE(read.status == 200);
    CHECK(read.json().at("secret_refs").as_array().size() == 3);

    // Removal matches the exact name; an absent name matches the unnamed link.
    const HttpResponse wrong_name = send("DELETE", path, withJson(who), boost::json::serialize(link("zz", secret)));
    CHECK(wrong_name.status == 404);
    CHECK(descriptionOf(wrong_name) == "Secret provided is not in the container");
    CHECK(send("DELETE", path, withJson(who), body_a).status == 204);
    CHECK(send("DELETE", path, who, R"({"secret_ref": ")" + secretRef(secret) + R"("})").status == 204);
    CHECK(linkCount(id) == "1");
    CHECK(sql("SELECT name FROM container_secrets WHERE container_id = '" + id + "'") == "b");

    const HttpResponse gone = send("DELETE", path, withJson(who), body_a);
    CHECK(gone.status == 404);
    CHECK(descriptionOf(gone) == "Secret provided is not in the container");
}

TEST_CASE("container secrets error order", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "creator", "u-1");
    const std::string mine = createSecret(who);
    const std::string foreign = createSecret(identity(newProjectId(), "creator", "u-2"));
    const std::string generic = createContainer(who, object{{"type", "generic"}});
    const std::string rsa = createContainer(who, object{{"type", "rsa"}});

    const HttpResponse not_generic =
        send("POST", "/v1/containers/" + rsa + "/secrets", withJson(who), boost::json::serialize(link("a", mine)));
    CHECK(not_generic.status == 400);
    CHECK(descriptionOf(not_generic) == "Only 'generic' containers can be modified.");
    // The type check comes before the body.
    CHECK(send("POST", "/v1/containers/" + rsa + "/secrets", withJson(who), "not json").status == 400);
    CHECK(send("POST", "/v1/containers/" + generic + "/secrets", who, "{}").status == 415);

    const std::string path = "/v1/containers/" + generic + "/secrets";
    CHECK(send("POST", path, withJson(who), R"({"name": null, "secret_ref": "x"})").status == 400);
    CHECK(send("POST", path, withJson(who), R"({"name": "a"})").status == 400);

    const HttpResponse foreign_add = send("POST", path, withJson(who), boost::json::serialize(link("a", foreign)));
    CHECK(foreign_add.status == 404);
    CHECK(descriptionOf(foreign_add) == "Secret provided doesn't exist.");
    const HttpResponse foreign_remove = send("DELETE", path, withJson(who), boost::json::serialize(link("a", foreign)));
    CHECK(foreign_remove.status == 404);
    CHECK(contains(descriptionOf(foreign_remove), "doesn't exist"));
    CHECK(linkCount(generic) == "0");

    // Another project is stopped by policy before anything is read.
    const HttpResponse other = send("POST", path, withJson(identity(newProjectId(), "admin", "u-3")),
                                    boost::json::serialize(link("a", mine)));
    CHECK(other.status == 403);
    CHECK(send("POST", "/v1/containers/" + core::newUuidV4() + "/secrets", withJson(who),
               boost::json::serialize(link("a", mine)))
              .status == 404);
}

TEST_CASE("container secret deletion unlinks", "[e2e][containers]") {
    const std::string project = newProjectId();
    const Headers who = identity(project, "admin", "u-1");
    const std::string kept = createSecret(who);
    const std::string dropped = createSecret(who);
    const std::string id = createContainer(
        who, object{{"type", "generic"}, {"secret_refs", boost::json::array{link("kept", kept), link("dropped", dropped)}}});

    REQUIRE(send("DELETE", "/v1/secrets/" + dropped, who).status == 204);

    const HttpResponse read = send("GET", "/v1/containers/" + id, who);
    REQUIRE(read.status == 200);
    const boost::json::value read_body = read.json();
    const auto& refs = read_body.at("secret_refs").as_array();
    REQUIRE(refs.size() == 1);
    CHECK(refs[0].at("name") == "kept");
    CHECK(sql("SELECT count(*) FROM container_secrets WHERE secret_id = '" + dropped + "'") == "0");
}

TEST_CASE("containers quota race", "[e2e][containers]") {
    constexpr int kQuota = 3;
    constexpr int kRequests = 4 * kQuota;
    const std::string project = newProjectId();
    sql("INSERT INTO projects (id) VALUES ('" + project + "') ON CONFLICT DO NOTHING");
    sql("INSERT INTO project_quotas (project_id, containers, created_at, updated_at) VALUES ('" + project + "', " +
        std::to_string(kQuota) + ", now(), now())");

    std::atomic<int> created{0};
    std::atomic<int> refused{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kRequests; ++i) {
        threads.emplace_back([&, i] {
            const HttpResponse response = send("POST", "/v1/containers", withJson(identity(project, "creator")),
                                               R"({"type": "generic", "name": "race-)" + std::to_string(i) + R"("})");
            if (response.status == 201) ++created;
            else if (response.status == 403 && contains(response.body, "quota")) ++refused;
            else ++other;
        });
    }
    for (std::thread& thread : threads) thread.join();

    CHECK(created == kQuota);
    CHECK(refused == kRequests - kQuota);
    CHECK(other == 0);
    CHECK(containerCount(project) == std::to_string(kQuota));
}
