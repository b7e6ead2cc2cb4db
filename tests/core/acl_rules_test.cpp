#include <catch2/catch.hpp>

#include "core/acl_rules.h"
#include "core/error.h"
#include "core/json_body.h"

namespace {

core::AclChange parse(const std::string& json) {
    return core::parseAclChange(core::parseJsonObject(json, 25000));
}

// The description of the InvalidInput error `json` raises, or "" if none.
std::string errorOf(const std::string& json) {
    try {
        parse(json);
    } catch (const core::Error& error) {
        CHECK(error.kind() == core::ErrorKind::InvalidInput);
        return error.what();
    }
    return "";
}

}  // namespace

TEST_CASE("acl body full read", "[unit][acl]") {
    const core::AclChange change = parse(R"({"read": {"users": ["u1", "u2"], "project-access": false}})");
    CHECK(change.read_given);
    REQUIRE(change.project_access.has_value());
    CHECK_FALSE(*change.project_access);
    REQUIRE(change.users.has_value());
    CHECK(*change.users == std::vector<std::string>{"u1", "u2"});
}

TEST_CASE("acl body users deduplicated", "[unit][acl]") {
    const core::AclChange change = parse(R"({"read": {"users": ["b", "a", "b", " a ", "c"]}})");
    REQUIRE(change.users.has_value());
    CHECK(*change.users == std::vector<std::string>{"b", "a", "c"});
    CHECK_FALSE(change.project_access.has_value());
}

TEST_CASE("acl body empty user kept", "[unit][acl]") {
    const core::AclChange change = parse(R"({"read": {"users": ["", "u"]}})");
    REQUIRE(change.users.has_value());
    CHECK(*change.users == std::vector<std::string>{"", "u"});
}

TEST_CASE("acl body read absent or empty", "[unit][acl]") {
    for (const char* json : {"{}", R"({"read": {}})"}) {
        INFO(json);
        const core::AclChange change = parse(json);
        CHECK_FALSE(change.read_given);
        CHECK_FALSE(change.project_access.has_value());
        CHECK_FALSE(change.users.has_value());
    }
}

TEST_CASE("acl body only project access", "[unit][acl]") {
    const core::AclChange change = parse(R"({"read": {"project-access": true}})");
    CHECK(change.read_given);
    CHECK(change.project_access == std::optional<bool>(true));
    CHECK_FALSE(change.users.has_value());
}

TEST_CASE("acl body empty users list", "[unit][acl]") {
    const core::AclChange change = parse(R"({"read": {"users": []}})");
    CHECK(change.read_given);
    REQUIRE(change.users.has_value());
    CHECK(change.users->empty());
}

TEST_CASE("acl body unknown keys rejected", "[unit][acl]") {
    CHECK_THAT(errorOf(R"({"write": {}})"), Catch::Contains("'write' was unexpected"));
    CHECK_THAT(errorOf(R"({"read": {}, "write": {}})"), Catch::Contains("'write' was unexpected"));
    CHECK_THAT(errorOf(R"({"read": {"users": [], "x": 1}})"), Catch::Contains("'x' was unexpected"));
    CHECK_THAT(errorOf(R"({"read": {"x": 1}})"), Catch::Contains("Invalid property: 'read'"));
}

TEST_CASE("acl body wrong types rejected", "[unit][acl]") {
    CHECK_THAT(errorOf(R"({"read": null})"), Catch::Contains("'read'"));
    CHECK_THAT(errorOf(R"({"read": []})"), Catch::Contains("'read'"));
    CHECK_THAT(errorOf(R"({"read": {"users": "u1"}})"), Catch::Contains("'users'"));
    CHECK_THAT(errorOf(R"({"read": {"users": null}})"), Catch::Contains("'users'"));
    CHECK_THAT(errorOf(R"({"read": {"users": [1]}})"), Catch::Contains("'users'"));
    CHECK_THAT(errorOf(R"({"read": {"users": [null]}})"), Catch::Contains("'users'"));
    CHECK_THAT(errorOf(R"({"read": {"project-access": "false"}})"), Catch::Contains("'project-access'"));
    CHECK_THAT(errorOf(R"({"read": {"project-access": 0}})"), Catch::Contains("'project-access'"));
    CHECK_THAT(errorOf(R"({"read": {"project-access": null}})"), Catch::Contains("'project-access'"));
}

TEST_CASE("acl body user length limit", "[unit][acl]") {
    const std::string longest(core::kMaxAclUserLength, 'u');
    const core::AclChange change = parse(R"({"read": {"users": [")" + longest + R"("]}})");
    REQUIRE(change.users.has_value());
    CHECK(change.users->front() == longest);

    const std::string too_long(core::kMaxAclUserLength + 1, 'u');
    CHECK_THAT(errorOf(R"({"read": {"users": [")" + too_long + R"("]}})"), Catch::Contains("longer than 255"));
    // The limit counts code points, not bytes: 255 two-byte characters pass.
    std::string wide;
    for (std::size_t i = 0; i < core::kMaxAclUserLength; ++i) wide += "\xc3\xa9";
    CHECK(errorOf(R"({"read": {"users": [")" + wide + R"("]}})").empty());
}

TEST_CASE("acl body error names schema", "[unit][acl]") {
    CHECK_THAT(errorOf(R"({"read": {"users": "u"}})"),
               Catch::StartsWith("Provided object does not match schema 'ACL': "));
}
