// End-to-end tests of the read ACLs of secrets and containers against the
// private test stack: the four ACL routes, their validation, the stored
// rows, and the effect of an ACL on every read path.

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

std::string newUser() { return "u-" + core::newUuidV4(); }

// A caller: project, user and roles ("member" is a role the policy does not
// know, so it grants nothing).
struct Caller {
    std::string project;
    std::string user;
    std::string roles;

    Headers headers() const { return identity(project, roles, user); }
};

std::string createSecret(const Caller& caller, const std::string& payload = "acl-test-value") {
    return idOf(createTextSecret(stack().client(), caller.headers(), payload, "acl-secret"));
}

std::string createContainer(const Caller& caller, const object& extra = {}) {
    object body{{"type", "generic"}, {"name", "acl-container"}};
    for (const auto& member : extra) body[member.key()] = member.value();
    const HttpResponse response =
        send("POST", "/v1/containers", withJson(caller.headers()), boost::json::serialize(body));
    INFO(response.body);
    REQUIRE(response.status == 201);
    return idOf(std::string(response.json().at("container_ref").as_string()));
}

HttpResponse putAcl(const std::string& path, const Caller& caller, const std::string& body) {
    return send("PUT", path + "/acl", withJson(caller.headers()), body);
}

HttpResponse patchAcl(const std::string& path, const Caller& caller, const std::string& body) {
    return send("PATCH", path + "/acl", withJson(caller.headers()), body);
}

boost::json::object getAclBody(const std::string& path, const Caller& caller) {
    const HttpResponse response = send("GET", path + "/acl", caller.headers());
    INFO(response.body);
    REQUIRE(response.status == 200);
    return response.json().as_object();
}

std::string sqlValue(const std::string& statement) { return stack().sql(statement); }

std::string updatedOf(const std::string& table, const std::string& id) {
    return sqlValue("SELECT updated_at FROM " + table + " WHERE id = '" + id + "'");
}

// Secret or container, so each flow runs on both.
struct Kind {
    std::string collection;  // "secrets" or "containers"
    std::string acl_table;
    std::string key_column;
};

const Kind kSecretKind{"secrets", "secret_acls", "secret_id"};
const Kind kContainerKind{"containers", "container_acls", "container_id"};

std::string createResource(const Kind& kind, const Caller& caller) {
    return kind.collection == "secrets" ? createSecret(caller) : createContainer(caller);
}

std::string aclRowCount(const Kind& kind, const std::string& id) {
    return sqlValue("SELECT count(*) FROM " + kind.acl_table + " WHERE " + kind.key_column + " = '" + id + "'");
}

}  // namespace

TEST_CASE("acl default and full cycle", "[e2e][acls]") {
    for (const Kind& kind : {kSecretKind, kContainerKind}) {
        DYNAMIC_SECTION(kind.collection) {
            const Caller owner{newProjectId(), newUser(), "creator"};
            const std::string id = createResource(kind, owner);
            const std::string path = "/v1/" + kind.collection + "/" + id;

            // No ACL stored: the default body, and no row.
            CHECK(getAclBody(path, owner) == boost::json::parse(R"({"read": {"project-access": true}})"));
            CHECK(aclRowCount(kind, id) == "0");

            // PUT stores the given values, users deduplicated in order.
            HttpResponse response =
                putAcl(path, owner, R"({"read": {"users": ["u-b", "u-a", "u-b"], "project-access": false}})");
            INFO(response.body);
            REQUIRE(response.status == 200);
            CHECK(response.json() == boost::json::parse("{\"acl_ref\": \"" + stack().baseUrl() + path + "/acl\"}"));
            CHECK(sqlValue("SELECT project_access, array_to_string(users, ',') FROM " + kind.acl_table + " WHERE " +
                           kind.key_column + " = '" + id + "'") == "f|u-b,u-a");

            object read = getAclBody(path, owner).at("read").as_object();
            CHECK(read.at("project-access") == false);
            CHECK(read.at("users") == boost::json::parse(R"(["u-b", "u-a"])"));
            CHECK(read.at("created").is_string());
            CHECK(read.at("updated").is_string());
            CHECK(read.size() == 4);
            const std::string created(read.at("created").as_string());

            // A second PUT replaces: the absent project-access is true again.
            response = putAcl(path, owner, R"({"read": {"users": ["u-c"]}})");
            REQUIRE(response.status == 200);
            read = getAclBody(path, owner).at("read").as_object();
            CHECK(read.at("project-access") == true);
            CHECK(read.at("users") == boost::json::parse(R"(["u-c"])"));
            CHECK(read.at("created") == created.c_str());

            // PUT without "read" content removes the ACL.
            response = putAcl(path, owner, R"({"read": {}})");
            REQUIRE(response.status == 200);
            CHECK(aclRowCount(kind, id) == "0");
            CHECK(getAclBody(path, owner) == boost::json::parse(R"({"read": {"project-access": true}})"));

            // DELETE returns 200 with a JSON null, whether or not a row exists.
            REQUIRE(putAcl(path, owner, R"({"read": {"project-access": false}})").status == 200);
            CHECK(aclRowCount(kind, id) == "1");
            for (int round = 0; round < 2; ++round) {
                response = send("DELETE", path + "/acl", owner.headers());
                CHECK(response.status == 200);
                CHECK(response.body == "null");
                CHECK(response.header("content-type").rfind("application/json", 0) == 0);
                CHECK(aclRowCount(kind, id) == "0");
            }
        }
    }
}

TEST_CASE("acl patch merges", "[e2e][acls]") {
    for (const Kind& kind : {kSecretKind, kContainerKind}) {
        DYNAMIC_SECTION(kind.collection) {
            const Caller owner{newProjectId(), newUser(), "creator"};
            const std::string id = createResource(kind, owner);
            const std::string path = "/v1/" + kind.collection + "/" + id;

            // An empty PATCH on no ACL stores nothing.
            REQUIRE(patchAcl(path, owner, "{}").status == 200);
            REQUIRE(patchAcl(path, owner, R"({"read": {}})").status == 200);
            CHECK(aclRowCount(kind, id) == "0");

            // The first PATCH creates the ACL with project-access true.
            REQUIRE(patchAcl(path, owner, R"({"read": {"users": ["u-1", "u-2"]}})").status == 200);
            object read = getAclBody(path, owner).at("read").as_object();
            CHECK(read.at("project-access") == true);
            CHECK(read.at("users") == boost::json::parse(R"(["u-1", "u-2"])"));

            // Only the given keys change.
            REQUIRE(patchAcl(path, owner, R"({"read": {"project-access": false}})").status == 200);
            read = getAclBody(path, owner).at("read").as_object();
            CHECK(read.at("project-access") == false);
            CHECK(read.at("users") == boost::json::parse(R"(["u-1", "u-2"])"));

            // "users" replaces the whole list.
            REQUIRE(patchAcl(path, owner, R"({"read": {"users": ["u-3"]}})").status == 200);
            read = getAclBody(path, owner).at("read").as_object();
            CHECK(read.at("project-access") == false);
            CHECK(read.at("users") == boost::json::parse(R"(["u-3"])"));

            // An empty PATCH changes nothing, not even the updated time.
            const std::string before = sqlValue("SELECT updated_at FROM " + kind.acl_table + " WHERE " +
                                                kind.key_column + " = '" + id + "'");
            REQUIRE(patchAcl(path, owner, "{}").status == 200);
            CHECK(sqlValue("SELECT updated_at FROM " + kind.acl_table + " WHERE " + kind.key_column + " = '" + id +
                           "'") == before);
            CHECK(getAclBody(path, owner).at("read").at("users") == boost::json::parse(R"(["u-3"])"));
        }
    }
}

TEST_CASE("acl write bumps updated", "[e2e][acls]") {
    for (const Kind& kind : {kSecretKind, kContainerKind}) {
        DYNAMIC_SECTION(kind.collection) {
            const Caller owner{newProjectId(), newUser(), "creator"};
            const std::string id = createResource(kind, owner);
            const std::string path = "/v1/" + kind.collection + "/" + id;

            std::string before = updatedOf(kind.collection, id);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            REQUIRE(putAcl(path, owner, R"({"read": {"users": ["u-1"]}})").status == 200);
            std::string after = updatedOf(kind.collection, id);
            CHECK(after > before);

            before = after;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            REQUIRE(patchAcl(path, owner, R"({"read": {"project-access": false}})").status == 200);
            after = updatedOf(kind.collection, id);
            CHECK(after > before);

            // Removing the ACL leaves the resource's updated time as it is,
            // as in Barbican 15.0.1.
            before = after;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            REQUIRE(send("DELETE", path + "/acl", owner.headers()).status == 200);
            CHECK(updatedOf(kind.collection, id) == before);
        }
    }
}

TEST_CASE("acl invalid bodies rejected", "[e2e][acls]") {
    const Caller owner{newProjectId(), newUser(), "creator"};
    const std::string id = createSecret(owner);
    const std::string path = "/v1/secrets/" + id;
    const std::string too_long(256, 'u');

    const std::vector<std::string> bodies = {
        R"({"write": {}})",
        R"({"read": {"users": ["u"], "other": 1}})",
        R"({"read": {"users": "u"}})",
        R"({"read": {"users": [1]}})",
        R"({"read": {"users": null}})",
        R"({"read": {"project-access": "false"}})",
        R"({"read": null})",
        R"({"read": {"users": [")" + too_long + R"("]}})",
        "[]",
        "not json",
        "",
    };
    for (const std::string& body : bodies) {
        for (const char* method : {"PUT", "PATCH"}) {
            INFO(method << " " << body);
            const HttpResponse response = send(method, path + "/acl", withJson(owner.headers()), body);
            CHECK(response.status == 400);
            CHECK(response.json().at("code") == 400);
        }
    }
    CHECK(aclRowCount(kSecretKind, id) == "0");

    // A JSON body is required for PUT and PATCH, not for DELETE.
    for (const char* method : {"PUT", "PATCH"}) {
        INFO(method);
        const HttpResponse response = send(method, path + "/acl", withHeader(owner.headers(), "Content-Type", "text/plain"),
                                           R"({"read": {"users": ["u"]}})");
        CHECK(response.status == 415);
    }
    CHECK(aclRowCount(kSecretKind, id) == "0");
    CHECK(send("DELETE", path + "/acl", withHeader(owner.headers(), "Content-Type", "text/plain"), "x").status == 200);

    CHECK(send("POST", path + "/acl", withJson(owner.headers()), "{}").status == 405);
    CHECK(send("GET", path + "/acl", withHeader(owner.headers(), "Accept", "text/plain")).status == 406);
}

TEST_CASE("acl unknown resources", "[e2e][acls]") {
    const Caller admin{newProjectId(), newUser(), "admin"};
    const std::string unknown = core::newUuidV4();
    for (const char* method : {"GET", "PUT", "PATCH", "DELETE"}) {
        INFO(method);
        HttpResponse response = send(method, "/v1/secrets/" + unknown + "/acl", withJson(admin.headers()), "{}");
        CHECK(response.status == 404);
        CHECK(response.json().at("description") == "Secret not found.");
        response = send(method, "/v1/secrets/not-a-uuid/acl", withJson(admin.headers()), "{}");
        CHECK(response.status == 404);
        response = send(method, "/v1/containers/" + unknown + "/acl", withJson(admin.headers()), "{}");
        CHECK(response.status == 404);
        CHECK(response.json().at("description") == "Secrets container not found.");
        response = send(method, "/v1/containers/" + core::newUuidV4().replace(14, 1, "1") + "/acl",
                        withJson(admin.headers()), "{}");
        CHECK(response.status == 404);
    }

    // A deleted secret has no ACL to read or write.
    const std::string id = createSecret(admin);
    REQUIRE(send("DELETE", "/v1/secrets/" + id, admin.headers()).status == 204);
    CHECK(send("GET", "/v1/secrets/" + id + "/acl", admin.headers()).status == 404);
    CHECK(putAcl("/v1/secrets/" + id, admin, R"({"read": {"users": ["u"]}})").status == 404);
    CHECK(aclRowCount(kSecretKind, id) == "0");
}

TEST_CASE("acl user reads secret", "[e2e][acls]") {
    const Caller owner{newProjectId(), newUser(), "creator"};
    const Caller reader{newProjectId(), newUser(), "member"};  // another project, no known role
    const Caller stranger{reader.project, newUser(), "member"};
    const std::string id = createSecret(owner, "acl-shared-value");
    const std::string path = "/v1/secrets/" + id;
    REQUIRE(send("PUT", path + "/metadata", withJson(owner.headers()), R"({"metadata": {"purpose": "acl"}})").status ==
            201);

    const auto payloadOf = [&](const Caller& caller) {
        return send("GET", path + "/payload", withHeader(caller.headers(), "Accept", "text/plain"));
    };

    // Before the ACL names the reader, every read is denied.
    CHECK(send("GET", path, reader.headers()).status == 403);
    CHECK(payloadOf(reader).status == 403);
    CHECK(send("GET", path + "/metadata", reader.headers()).status == 403);

    REQUIRE(putAcl(path, owner, "{\"read\": {\"users\": [\"" + reader.user + "\"]}}").status == 200);

    HttpResponse response = send("GET", path, reader.headers());
    INFO(response.body);
    CHECK(response.status == 200);
    CHECK(response.json().at("name") == "acl-secret");
    response = payloadOf(reader);
    CHECK(response.status == 200);
    CHECK(response.body == "acl-shared-value");
    response = send("GET", path + "/metadata", reader.headers());
    CHECK(response.status == 200);
    CHECK(response.json() == boost::json::parse(R"({"metadata": {"purpose": "acl"}})"));

    // The ACL grants reads only: no ACL read, no writes, no delete.
    CHECK(send("GET", path + "/acl", reader.headers()).status == 403);
    CHECK(putAcl(path, reader, R"({"read": {"users": []}})").status == 403);
    CHECK(send("DELETE", path + "/acl", reader.headers()).status == 403);
    CHECK(send("DELETE", path, reader.headers()).status == 403);
    CHECK(send("PUT", path + "/metadata", withJson(reader.headers()), R"({"metadata": {}})").status == 403);

    // Another user of the reader's project gains nothing.
    CHECK(send("GET", path, stranger.headers()).status == 403);
    CHECK(payloadOf(stranger).status == 403);

    // Removing the ACL takes the access away again.
    REQUIRE(send("DELETE", path + "/acl", owner.headers()).status == 200);
    CHECK(send("GET", path, reader.headers()).status == 403);
    CHECK(payloadOf(reader).status == 403);
}

TEST_CASE("acl only secret list", "[e2e][acls]") {
    const Caller owner{newProjectId(), newUser(), "creator"};
    const Caller reader{newProjectId(), newUser(), "observer"};
    const std::string shared = createSecret(owner);
    const std::string unshared = createSecret(owner);
    const std::string own = createSecret(Caller{reader.project, newUser(), "creator"});
    REQUIRE(putAcl("/v1/secrets/" + shared, owner, "{\"read\": {\"users\": [\"" + reader.user + "\"]}}").status ==
            200);

    const auto listed = [&](const std::string& query) {
        const HttpResponse response = send("GET", "/v1/secrets" + query, reader.headers());
        INFO(response.body);
        REQUIRE(response.status == 200);
        std::vector<std::string> ids;
        const boost::json::value body = response.json();
        for (const auto& secret : body.at("secrets").as_array())
            ids.push_back(idOf(std::string(secret.at("secret_ref").as_string())));
        return ids;
    };

    const std::vector<std::string> acl_only = listed("?acl_only=true");
    CHECK(acl_only == std::vector<std::string>{shared});
    const std::vector<std::string> project = listed("");
    CHECK(project == std::vector<std::string>{own});
}

TEST_CASE("acl private resource", "[e2e][acls]") {
    for (const Kind& kind : {kSecretKind, kContainerKind}) {
        DYNAMIC_SECTION(kind.collection) {
            const Caller owner{newProjectId(), newUser(), "creator"};
            const Caller member_creator{owner.project, newUser(), "creator"};
            const Caller member_observer{owner.project, newUser(), "observer"};
            const Caller project_admin{owner.project, newUser(), "admin"};
            const Caller listed{newProjectId(), newUser(), "member"};
            const std::string id = createResource(kind, owner);
            const std::string path = "/v1/" + kind.collection + "/" + id;

            CHECK(send("GET", path, member_observer.headers()).status == 200);
            CHECK(send("GET", path, member_creator.headers()).status == 200);
            REQUIRE(putAcl(path, owner,
                           "{\"read\": {\"project-access\": false, \"users\": [\"" + listed.user + "\"]}}")
                        .status == 200);

            // Private: other project members lose their reads; the creator,
            // project admins and listed users keep theirs.
            CHECK(send("GET", path, member_observer.headers()).status == 403);
            CHECK(send("GET", path, member_creator.headers()).status == 403);
            CHECK(send("GET", path, owner.headers()).status == 200);
            CHECK(send("GET", path, project_admin.headers()).status == 200);
            CHECK(send("GET", path, listed.headers()).status == 200);
            // Members may still read the ACL itself.
            CHECK(send("GET", path + "/acl", member_observer.headers()).status == 200);

            // Barbican 15.0.1 does not apply the private flag to ACL writes,
            // so a creator who is not the owner may open the resource again.
            const HttpResponse response = patchAcl(path, member_creator, R"({"read": {"project-access": true}})");
            CHECK(response.status == 200);
            CHECK(send("GET", path, member_observer.headers()).status == 200);
            // An observer still may not write the ACL.
            CHECK(send("DELETE", path + "/acl", member_observer.headers()).status == 403);
        }
    }
}

TEST_CASE("acl container scope", "[e2e][acls]") {
    const Caller owner{newProjectId(), newUser(), "creator"};
    const Caller reader{newProjectId(), newUser(), "member"};
    const std::string secret_ref = createTextSecret(stack().client(), owner.headers(), "linked-value", "linked");
    const std::string container_id =
        createContainer(owner, object{{"secret_refs", boost::json::array{object{{"name", "key"}, {"secret_ref", secret_ref}}}}});
    const std::string path = "/v1/containers/" + container_id;

    CHECK(send("GET", path, reader.headers()).status == 403);
    REQUIRE(putAcl(path, owner, "{\"read\": {\"users\": [\"" + reader.user + "\"]}}").status == 200);

    const HttpResponse response = send("GET", path, reader.headers());
    INFO(response.body);
    CHECK(response.status == 200);
    CHECK(response.json().at("secret_refs").as_array().size() == 1);

    // The container's ACL does not reach the secrets it links.
    CHECK(send("GET", pathOf(secret_ref), reader.headers()).status == 403);
    CHECK(send("GET", pathOf(secret_ref) + "/payload", withHeader(reader.headers(), "Accept", "text/plain")).status ==
          403);
    // Nor the container's own ACL or deletion.
    CHECK(send("GET", path + "/acl", reader.headers()).status == 403);
    CHECK(send("DELETE", path, reader.headers()).status == 403);
}
