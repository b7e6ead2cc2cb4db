#include "core/error.h"
#include "core/microversion.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

namespace {

std::optional<core::ErrorKind> errorKindOf(std::string_view header) {
    try {
        core::parseMicroversion(header);
    } catch (const core::Error& error) {
        return error.kind();
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("parseMicroversion accepted headers", "[unit]") {
    const std::vector<std::pair<std::optional<std::string_view>, std::string>> cases = {
        {std::nullopt, "1.0"},
        {"", "1.0"},
        {"key-manager 1.0", "1.0"},
        {"key-manager 1.1", "1.1"},
        {"key-manager 1.2", "1.2"},
        {"key-manager latest", "1.2"},
        {"  key-manager   1.2  ", "1.2"},
        {"key-manager\t1.1", "1.1"},
        {"Key-Manager 1.1", "1.1"},
        {"key-manager 01.01", "1.1"},
        {"key-manager 1. 1", "1.1"},
        {"key-manager +1.1", "1.1"},
        {"key-manager 1.0_0", "1.0"},
        // Entries for other services, or without a version, are ignored.
        {"compute 2.1", "1.0"},
        {"key-manager", "1.0"},
        {"key-manager 1.1, compute 2.0", "1.1"},
        {"compute 2.0, key-manager 1.1", "1.1"},
        // The last key-manager entry wins.
        {"key-manager 1.0,key-manager 1.2", "1.2"},
        {"key-manager bogus, key-manager 1.1", "1.1"},
    };
    for (const auto& [header, expected] : cases) {
        CAPTURE(header.value_or("<absent>"));
        CHECK(core::parseMicroversion(header).toString() == expected);
    }
}

TEST_CASE("parseMicroversion unparsable versions", "[unit]") {
    const std::vector<std::string> headers = {
        "key-manager LATEST",
        "key-manager 1",
        "key-manager 1.1.1",
        "key-manager 1.x",
        "key-manager .1",
        "key-manager 1.",
        "key-manager 1.1 extra",
        "key-manager 1._1",
        "key-manager 1.2, key-manager bogus",
    };
    for (const std::string& header : headers) {
        CAPTURE(header);
        CHECK(errorKindOf(header) == core::ErrorKind::InvalidInput);
    }
}

TEST_CASE("parseMicroversion unsupported versions", "[unit]") {
    const std::vector<std::string> headers = {
        "key-manager 1.3",
        "key-manager 2.0",
        "key-manager 0.9",
        "key-manager -1.0",
        "key-manager 1.-1",
        "key-manager 1_0.1",
        "key-manager 99999999999999999999999.0",
        "key-manager 1.99999999999999999999999",
    };
    for (const std::string& header : headers) {
        CAPTURE(header);
        CHECK(errorKindOf(header) == core::ErrorKind::NotAcceptable);
    }
}

TEST_CASE("Microversion ordering", "[unit]") {
    CHECK(core::Microversion{1, 0} < core::Microversion{1, 1});
    CHECK(core::Microversion{1, 2} == core::kMaxMicroversion);
    CHECK(core::kMinMicroversion.toString() == "1.0");
}
