#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/json_body.h"
#include "core/quota_rules.h"

namespace {

core::QuotaValues parse(const std::string& json) {
    return core::parseProjectQuotasBody(core::parseJsonObject(json, 25000));
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

TEST_CASE("project quotas all kinds", "[unit][quotas]") {
    const core::QuotaValues values =
        parse(R"({"project_quotas": {"secrets": 1, "orders": 2, "containers": 3, "consumers": 4, "cas": 5}})");
    for (std::size_t i = 0; i < values.size(); ++i) {
        INFO(core::kQuotaKinds[i]);
        CHECK(values[i] == std::optional<int>(static_cast<int>(i) + 1));
    }
}

TEST_CASE("project quotas absent keys unset", "[unit][quotas]") {
    const core::QuotaValues values = parse(R"({"project_quotas": {"containers": -1}})");
    CHECK_FALSE(values[0].has_value());
    CHECK_FALSE(values[1].has_value());
    CHECK(values[2] == std::optional<int>(-1));
    CHECK_FALSE(values[3].has_value());
    CHECK_FALSE(values[4].has_value());
}

TEST_CASE("project quotas empty object accepted", "[unit][quotas]") {
    const core::QuotaValues values = parse(R"({"project_quotas": {}})");
    for (const auto& value : values) CHECK_FALSE(value.has_value());
}

TEST_CASE("project quotas integral double accepted", "[unit][quotas]") {
    CHECK(parse(R"({"project_quotas": {"secrets": 5.0}})")[0] == std::optional<int>(5));
}

TEST_CASE("project quotas 32-bit range", "[unit][quotas]") {
    CHECK(parse(R"({"project_quotas": {"secrets": 2147483647}})")[0] == std::optional<int>(2147483647));
    CHECK(parse(R"({"project_quotas": {"secrets": -2147483648}})")[0] == std::optional<int>(-2147483648LL));
    CHECK_THAT(errorOf(R"({"project_quotas": {"secrets": 2147483648}})"), Catch::Contains("'secrets'"));
    CHECK_THAT(errorOf(R"({"project_quotas": {"orders": -2147483649}})"), Catch::Contains("'orders'"));
    CHECK_THAT(errorOf(R"({"project_quotas": {"secrets": 99999999999}})"), Catch::Contains("'secrets'"));
}

TEST_CASE("project quotas wrong types rejected", "[unit][quotas]") {
    for (const char* value : {"null", "\"5\"", "5.5", "true", "[]", "{}"}) {
        INFO(value);
        CHECK_THAT(errorOf(std::string(R"({"project_quotas": {"secrets": )") + value + "}}"),
                   Catch::Contains("'secrets'"));
    }
}

TEST_CASE("project quotas closed schema", "[unit][quotas]") {
    CHECK_THAT(errorOf(R"({"project_quotas": {"foo": 5}})"), Catch::Contains("'foo' was unexpected"));
    CHECK_THAT(errorOf(R"({"project_quotas": {"secrets": 1}, "x": 1})"), Catch::Contains("'x' was unexpected"));
    CHECK_THAT(errorOf(R"({"other": 1})"), Catch::Contains("'other' was unexpected"));
}

TEST_CASE("project quotas object required", "[unit][quotas]") {
    CHECK_THAT(errorOf("{}"), Catch::Contains("'project_quotas' is a required property"));
    CHECK_THAT(errorOf(R"({"project_quotas": null})"), Catch::Contains("'project_quotas'"));
    CHECK_THAT(errorOf(R"({"project_quotas": 5})"), Catch::Contains("'project_quotas'"));
    CHECK_THAT(errorOf(R"({"project_quotas": {"secrets": "x"}})"),
               Catch::StartsWith("Provided object does not match schema 'Project Quota': "));
}

TEST_CASE("effective quotas fall back to defaults", "[unit][quotas]") {
    core::QuotaValues configured;
    configured[0] = 10;
    configured[2] = 0;
    const std::array<int, 5> defaults = {-1, 7, -1, 3, -1};
    const auto effective = core::effectiveQuotas(configured, defaults);
    CHECK(effective == std::array<int, 5>{10, 7, 0, 3, -1});
}

TEST_CASE("project id storable", "[unit][quotas]") {
    CHECK(core::isStorableProjectId("p-1"));
    CHECK(core::isStorableProjectId(std::string(core::kMaxProjectIdLength, 'p')));
    CHECK(core::isStorableProjectId("\xc3\xa9t\xc3\xa9"));
    CHECK_FALSE(core::isStorableProjectId(""));
    CHECK_FALSE(core::isStorableProjectId(std::string(core::kMaxProjectIdLength + 1, 'p')));
    CHECK_FALSE(core::isStorableProjectId(std::string("a\0b", 3)));
    CHECK_FALSE(core::isStorableProjectId("\xff"));
    CHECK_FALSE(core::isStorableProjectId("\xc3"));
    CHECK_FALSE(core::isStorableProjectId("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(core::isStorableProjectId("\xed\xa0\x80"));      // surrogate
}
