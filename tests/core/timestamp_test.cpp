#include "core/timestamp.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

// Formats a parse result for comparison, or "none".
std::string parsed(std::string_view text) {
    const std::optional<core::Timestamp> timestamp = core::parseIso8601(text);
    return timestamp ? core::formatTimestamp(*timestamp) : "none";
}

}  // namespace

TEST_CASE("parseIso8601 accepted forms", "[unit]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"2031-02-03", "2031-02-03T00:00:00"},
        {"2031-02-03T04:05:06", "2031-02-03T04:05:06"},
        {"2031-02-03T04:05:06Z", "2031-02-03T04:05:06"},
        {"2031-02-03T04:05:06.789012", "2031-02-03T04:05:06.789012"},
        {"2031-02-03T04:05:06.7890129", "2031-02-03T04:05:06.789012"},  // truncated
        {"2031-02-03T04:05:06.5", "2031-02-03T04:05:06.500000"},
        {"2031-02-03T04:05:06,5", "2031-02-03T04:05:06.500000"},
        {"2031-02-03T04:05:06.000000", "2031-02-03T04:05:06"},
        {"2031-02-03T04:05:06+01:00", "2031-02-03T03:05:06"},
        {"2031-02-03T04:05:06+0130", "2031-02-03T02:35:06"},
        {"2031-02-03T04:05:06-05:00", "2031-02-03T09:05:06"},
        {"2031-02-03T04:05:06+01", "2031-02-03T03:05:06"},
        {"2031-02-03T04:05:06.25-00:30", "2031-02-03T04:35:06.250000"},
        {"2031-02-03T00:30:00+01:00", "2031-02-02T23:30:00"},
        {"2031-12-31T23:30:00-01:00", "2032-01-01T00:30:00"},
        {"2031-02-03 04:05:06", "2031-02-03T04:05:06"},
        {"20310203T040506", "2031-02-03T04:05:06"},
        {"20310203", "2031-02-03T00:00:00"},
        {"2031", "2031-01-01T00:00:00"},
        {"2031-02", "2031-02-01T00:00:00"},
        {"2031-2-3", "2031-02-03T00:00:00"},
        {"2031-02-03T04", "2031-02-03T04:00:00"},
        {"2031-02-03T04Z", "2031-02-03T04:00:00"},
        {"2031-02-03T04:05", "2031-02-03T04:05:00"},
        {"2031-02-03T0405", "2031-02-03T04:05:00"},
        {"2031-02-03T04:05:6", "2031-02-03T04:05:06"},
        {"2032-02-29", "2032-02-29T00:00:00"},
        {"0001-01-01", "0001-01-01T00:00:00"},
        {"9999-12-31T23:59:59.999999", "9999-12-31T23:59:59.999999"},
    };
    for (const auto& [input, expected] : cases) {
        CAPTURE(input);
        CHECK(parsed(input) == expected);
    }
}

TEST_CASE("parseIso8601 rejected forms", "[unit]") {
    const std::vector<std::string> inputs = {
        "",
        "abc",
        "31-02-03",
        "2031/02/03",
        "203102",                      // YYYYMM is ambiguous
        "2031-02-30",
        "2031-02-29",
        "2031-13-01",
        "2031-00-01",
        "2031-02-00",
        "0000-01-01",
        "2031-02-03T24:00:00",
        "2031-02-03T23:60",
        "2031-02-03T23:59:60",         // Python datetime has no leap second
        "2031-02-03T",
        "2031-02-03T4:05",
        "2031-02-03t04:05",
        "2031-02-03Z",
        "2031-02-03T04:05:06z",
        "2031-02-03T04:05:06.",
        "2031-02-03T04:05:06+24:00",
        "2031-02-03T04:05:06+01:60",
        "2031-02-03T04:05:06+1",
        "2031-02-03T04:05:06+01:00:00",
        "2031-02-03T04:05:06 +01:00",
        " 2031-02-03",
        "2031-02-03 ",
        "2031-02-03T04:05:06Z ",
        "0001-01-01T00:30:00+01:00",   // UTC result in year 0
        "9999-12-31T23:30:00-01:00",   // UTC result in year 10000
    };
    for (const std::string& input : inputs) {
        CAPTURE(input);
        CHECK_FALSE(core::parseIso8601(input));
    }
}

TEST_CASE("formatTimestamp naive UTC form", "[unit]") {
    using namespace std::chrono;
    const core::Timestamp base = sys_days{year{2031} / February / 3} + hours{4} + minutes{5} + seconds{6};
    CHECK(core::formatTimestamp(base) == "2031-02-03T04:05:06");
    CHECK(core::formatTimestamp(base + microseconds{789012}) == "2031-02-03T04:05:06.789012");
    CHECK(core::formatTimestamp(base + microseconds{5}) == "2031-02-03T04:05:06.000005");
    const core::Timestamp before_epoch = core::Timestamp{} - microseconds{500000};
    CHECK(core::formatTimestamp(before_epoch) == "1969-12-31T23:59:59.500000");
}

TEST_CASE("formatSqlTimestamp fixed fraction", "[unit]") {
    using namespace std::chrono;
    const core::Timestamp base = sys_days{year{2031} / February / 3} + hours{4} + minutes{5} + seconds{6};
    CHECK(core::formatSqlTimestamp(base) == "2031-02-03 04:05:06.000000");
    CHECK(core::formatSqlTimestamp(base + microseconds{789012}) == "2031-02-03 04:05:06.789012");
    // The SQL form parses back to the same instant.
    CHECK(core::parseIso8601(core::formatSqlTimestamp(base + microseconds{1})) == base + microseconds{1});
}

TEST_CASE("formatTimestamp round trip", "[unit]") {
    using namespace std::chrono;
    core::Timestamp value = sys_days{year{2024} / January / 1} + microseconds{123};
    for (int step = 0; step < 50; ++step) {
        CAPTURE(step);
        CHECK(core::parseIso8601(core::formatTimestamp(value)) == value);
        value += hours{173} + microseconds{7919 * step};
    }
}

TEST_CASE("nowUtc current time", "[unit]") {
    using namespace std::chrono;
    const core::Timestamp now = core::nowUtc();
    const auto system_now = system_clock::now();
    CHECK(abs(duration_cast<milliseconds>(system_now - now)) < seconds{5});
}
