#include "core/error.h"
#include "core/query.h"

#include <catch2/catch.hpp>

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::string repeated(std::string_view text, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) {
        out += text;
    }
    return out;
}

std::optional<std::string> invalidInputMessage(const std::function<void()>& function) {
    try {
        function();
    } catch (const core::Error& error) {
        if (error.kind() == core::ErrorKind::InvalidInput) {
            return std::string(error.what());
        }
    }
    return std::nullopt;
}

core::Paging paging(std::string_view raw) {
    return core::parsePaging(core::parseQuery(raw), 10, 100);
}

}  // namespace

// Expected results were produced with Python 3's urllib.parse.unquote_plus().
TEST_CASE("percentDecode python semantics", "[unit]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"plain", "plain"},
        {"a+b", "a b"},
        {"a%20b", "a b"},
        {"%41%42", "AB"},
        {"%2B", "+"},
        {"%zz", "%zz"},
        {"%4", "%4"},
        {"%", "%"},
        {"100%", "100%"},
        {"%e2%82%ac", "\xE2\x82\xAC"},
        {"%F0%9F%98%80", "\xF0\x9F\x98\x80"},
        {"%ff", std::string(kReplacement)},
        {"%e2%82", std::string(kReplacement)},
        {"%e2%82x", std::string(kReplacement) + "x"},
        {"%c3%28", std::string(kReplacement) + "("},
        {"%ED%A0%80", repeated(kReplacement, 3)},
        {"%C0%AF", repeated(kReplacement, 2)},
        {"%F4%90%80%80", repeated(kReplacement, 4)},
        {"%00", std::string("\0", 1)},
    };
    for (const auto& [input, expected] : cases) {
        CAPTURE(input);
        CHECK(core::percentDecode(input) == expected);
    }
    CHECK(core::percentDecode("a+b", false) == "a+b");
}

TEST_CASE("parseQuery pairs", "[unit]") {
    const core::QueryParams params = core::parseQuery("a=1&&b&c=&=d&a=2&name=x%2By+z");
    const core::QueryParams expected = {
        {"a", "1"}, {"b", ""}, {"c", ""}, {"", "d"}, {"a", "2"}, {"name", "x+y z"}};
    CHECK(params == expected);
    CHECK(core::parseQuery("").empty());
    CHECK(core::queryValue(params, "a") == "2");  // the last occurrence wins
    CHECK(core::queryValue(params, "b") == "");
    CHECK_FALSE(core::queryValue(params, "missing"));
}

TEST_CASE("parseQuery rejects NUL", "[unit]") {
    for (const std::string raw : {"name=%00", "na%00me=x", "a=1&b=x%00y"}) {
        CAPTURE(raw);
        const std::optional<std::string> message = invalidInputMessage([&] { core::parseQuery(raw); });
        REQUIRE(message);
        CHECK(*message == "Invalid query string: parameter names and values must not contain NUL (%00).");
    }
}

TEST_CASE("parsePythonInt values", "[unit]") {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    const std::vector<std::pair<std::string, std::optional<std::int64_t>>> cases = {
        {"0", 0},
        {"42", 42},
        {"007", 7},
        {" 5 ", 5},
        {"\t-3\n", -3},
        {"+8", 8},
        {"1_000", 1000},
        {"9223372036854775807", kMax},
        {"-9223372036854775808", kMin},
        {"9223372036854775808", kMax},
        {"99999999999999999999999", kMax},
        {"-99999999999999999999999", kMin},
        {"", std::nullopt},
        {" ", std::nullopt},
        {"-", std::nullopt},
        {"1.5", std::nullopt},
        {"1e3", std::nullopt},
        {"0x10", std::nullopt},
        {"_1", std::nullopt},
        {"1_", std::nullopt},
        {"1__0", std::nullopt},
        {"1 0", std::nullopt},
        {"--1", std::nullopt},
        {"abc", std::nullopt},
    };
    for (const auto& [input, expected] : cases) {
        CAPTURE(input);
        CHECK(core::parsePythonInt(input) == expected);
    }
}

TEST_CASE("parsePaging clamping rules", "[unit]") {
    struct Case {
        std::string raw;
        std::int64_t offset;
        std::int64_t limit;
    };
    const std::vector<Case> cases = {
        {"", 0, 10},
        {"limit=5&offset=20", 20, 5},
        {"limit=100", 0, 100},
        {"limit=101", 0, 100},
        {"limit=99999999999999999999999", 0, 100},
        {"limit=0", 0, 1},
        {"limit=-7", 0, 1},
        {"limit=-99999999999999999999999", 0, 1},
        {"limit=abc", 0, 10},
        {"limit=1.5", 0, 10},
        {"limit=", 0, 10},
        {"limit=%2012%20", 0, 12},
        {"offset=-1", 0, 10},
        {"offset=abc", 0, 10},
        {"offset=", 0, 10},
        {"offset=2.5", 0, 10},
        {"offset=9223372036854775797", 9223372036854775797, 10},
        {"offset=9223372036854775798", 0, 10},  // offset + limit would overflow
        {"offset=99999999999999999999999", 0, 10},
        {"limit=3&limit=7", 0, 7},
    };
    for (const Case& c : cases) {
        CAPTURE(c.raw);
        const core::Paging result = paging(c.raw);
        CHECK(result.offset == c.offset);
        CHECK(result.limit == c.limit);
    }
}

TEST_CASE("parseBoolStrict values", "[unit]") {
    for (const std::string text : {"true", "TRUE", "True", "yes", "on", "1", "t", "y", "Y", " true "}) {
        CAPTURE(text);
        CHECK(core::parseBoolStrict(text) == true);
    }
    for (const std::string text : {"false", "FALSE", "no", "off", "0", "f", "n", "N"}) {
        CAPTURE(text);
        CHECK(core::parseBoolStrict(text) == false);
    }
    for (const std::string text : {"", "2", "tru", "yess", "enabled", "nope", "-1", "truex"}) {
        CAPTURE(text);
        CHECK_FALSE(core::parseBoolStrict(text));
    }
}

TEST_CASE("parseDateFilter accepted values", "[unit]") {
    const auto at = [](std::string_view text) { return *core::parseIso8601(text); };

    CHECK(core::parseDateFilter("", "created").empty());

    const core::DateFilter range = core::parseDateFilter("gte:2032-01-01T00:00:00,lt:2032-02-01", "expiration");
    CHECK(range.gte == at("2032-01-01"));
    CHECK(range.lt == at("2032-02-01"));
    CHECK_FALSE(range.gt);
    CHECK_FALSE(range.lte);
    CHECK_FALSE(range.eq);

    const core::DateFilter open = core::parseDateFilter("gt:2020-01-01T00:00:00+01:00,lte:2021-01-01", "created");
    CHECK(open.gt == at("2019-12-31T23:00:00"));
    CHECK(open.lte == at("2021-01-01"));

    const core::DateFilter exact = core::parseDateFilter("2020-01-01", "updated");
    CHECK(exact.eq == at("2020-01-01"));

    // An exact timestamp may be combined with the strict bounds.
    const core::DateFilter mixed = core::parseDateFilter("2020-01-01,gt:2019-01-01,lt:2021-01-01", "created");
    CHECK(mixed.eq);
    CHECK(mixed.gt);
    CHECK(mixed.lt);
}

TEST_CASE("parseDateFilter rejected values", "[unit]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"bogus", "'bogus' is not an ISO 8601 timestamp"},
        {"gt:", "'' is not an ISO 8601 timestamp"},
        {"gt:2020-01-01,", "'' is not an ISO 8601 timestamp"},
        {"GT:2020-01-01", "'GT:2020-01-01' is not an ISO 8601 timestamp"},
        {"gt:2020-02-30", "'2020-02-30' is not an ISO 8601 timestamp"},
        {"gt: 2020-01-01", "' 2020-01-01' is not an ISO 8601 timestamp"},
        {"gt:2020-01-01,gt:2020-01-02", "more than one lower bound (gt, gte)"},
        {"gt:2020-01-01,gte:2020-01-02", "more than one lower bound (gt, gte)"},
        {"gte:2020-01-01,gt:2020-01-02", "more than one lower bound (gt, gte)"},
        {"lt:2020-01-01,lte:2020-01-02", "more than one upper bound (lt, lte)"},
        {"lte:2020-01-01,lt:2020-01-02", "more than one upper bound (lt, lte)"},
        {"2020-01-01,2020-01-02", "more than one exact timestamp"},
        {"2020-01-01,gte:2019-01-01", "an exact timestamp cannot be combined with gte or lte"},
        {"gte:2019-01-01,2020-01-01", "an exact timestamp cannot be combined with gte or lte"},
        {"lte:2021-01-01,2020-01-01", "an exact timestamp cannot be combined with gte or lte"},
        {"2020-01-01,lte:2021-01-01", "an exact timestamp cannot be combined with gte or lte"},
    };
    for (const auto& [value, reason] : cases) {
        CAPTURE(value);
        const std::optional<std::string> message =
            invalidInputMessage([&] { core::parseDateFilter(value, "created"); });
        REQUIRE(message);
        CHECK(*message == "Invalid 'created' query parameter: " + reason + ".");
    }
}

TEST_CASE("parseSortSpec accepted values", "[unit]") {
    CHECK(core::parseSortSpec("").empty());
    const std::vector<core::SortKey> keys = core::parseSortSpec("name:desc,created,bit_length:asc");
    const std::vector<core::SortKey> expected = {
        {"name", true}, {"created", false}, {"bit_length", false}};
    CHECK(keys == expected);
    for (const std::string_view key : core::kSecretSortKeys) {
        CAPTURE(key);
        CHECK(core::parseSortSpec(std::string(key) + ":desc").size() == 1);
    }
}

TEST_CASE("parseSortSpec rejected values", "[unit]") {
    const std::vector<std::string> values = {
        "Name",          "name:DESC",  "name:up",   "name:",      "name:asc:desc",
        "name,name:desc", "name,",     ",name",     "id",         "created:asc,created:desc",
        " name",
    };
    for (const std::string& value : values) {
        CAPTURE(value);
        const std::optional<std::string> message = invalidInputMessage([&] { core::parseSortSpec(value); });
        REQUIRE(message);
        CHECK(message->starts_with("Invalid 'sort' query parameter: "));
    }
}
