#include "core/error.h"
#include "core/media_type.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using Header = std::optional<std::string_view>;

TEST_CASE("parseMediaType valid values", "[unit]") {
    const std::optional<core::MediaType> plain = core::parseMediaType("text/plain");
    REQUIRE(plain);
    CHECK(plain->type == "text");
    CHECK(plain->subtype == "plain");
    CHECK(plain->parameters.empty());

    const std::optional<core::MediaType> quoted = core::parseMediaType("Text/Plain; Charset=\"UTF-8\"");
    REQUIRE(quoted);
    CHECK(quoted->type == "text");
    CHECK(quoted->subtype == "plain");
    REQUIRE(quoted->parameters.size() == 1);
    CHECK(quoted->parameters[0].first == "charset");
    CHECK(quoted->parameters[0].second == "UTF-8");

    const std::optional<core::MediaType> spaced =
        core::parseMediaType(" application/json ; charset = utf-8 ;q=0.5 ");
    REQUIRE(spaced);
    CHECK(spaced->subtype == "json");
    REQUIRE(spaced->parameters.size() == 2);
    CHECK(spaced->parameters[1] == std::pair<std::string, std::string>("q", "0.5"));

    const std::optional<core::MediaType> escaped = core::parseMediaType(R"(a/b;x="1\"2")");
    REQUIRE(escaped);
    CHECK(escaped->parameters[0].second == "1\"2");
}

TEST_CASE("parseMediaType invalid values", "[unit]") {
    const std::vector<std::string> inputs = {
        "",          "text",         "text/",          "/plain",         "text/plain;",
        "text/plain;charset", "text/plain;=x", "text/plain;charset=", "text/plain charset=utf-8",
        "text/pl ain", "text/plain;a=\"open", "text/plain;;a=b", "text/plain,text/html",
    };
    for (const std::string& input : inputs) {
        CAPTURE(input);
        CHECK_FALSE(core::parseMediaType(input));
    }
}

TEST_CASE("isJsonContentType values", "[unit]") {
    const std::vector<std::pair<Header, bool>> cases = {
        {std::nullopt, false},
        {"", false},
        {"application/json", true},
        {"application/json; charset=utf-8", true},
        {"application/json ;charset=utf-8", true},
        {"Application/JSON", true},
        {" application/json", true},
        {"application/json-patch", false},
        {"application/jsonx", false},
        {"text/plain", false},
        {"application/*", false},
    };
    for (const auto& [header, expected] : cases) {
        CAPTURE(header.value_or("<absent>"));
        CHECK(core::isJsonContentType(header) == expected);
    }
}

TEST_CASE("acceptsJson media ranges", "[unit]") {
    const std::vector<std::pair<Header, bool>> cases = {
        {std::nullopt, true},
        {"", true},
        {"*/*", true},
        {"application/json", true},
        {"application/*", true},
        {"APPLICATION/JSON", true},
        {"application/json; charset=utf-8", true},
        {"text/html, */*;q=0.1", true},
        {"text/plain;q=1,application/json;q=0.1", true},
        {"application/json;q=0.001", true},
        {"text/html,,application/json", true},
        {"text/html;level=\"a,b\", application/json", true},
        {", ,", true},
        {"text/html", false},
        {"*/json", false},
        {"application/json+x", false},
        {"application/json;q=0", false},
        {"application/json;q=0.000", false},
        {"*/*;q=0", false},
        {"application/json;q=0, */*", false},               // the most specific range wins
        {"application/*;q=0, */*", false},
        {"application/json;q=0, application/*;q=1", false},
        {"application/*;q=0, application/json", true},
        // A header that is not a list of media ranges is ignored.
        {"garbage", true},
        {"application/json;q=abc", true},
        {"text/html;q=1.5", true},
        {"text/html;q=0.1234", true},
    };
    for (const auto& [header, expected] : cases) {
        CAPTURE(header.value_or("<absent>"));
        CHECK(core::acceptsJson(header) == expected);
    }
}

TEST_CASE("isMetadataAccept exact values", "[unit]") {
    const std::vector<std::pair<Header, bool>> cases = {
        {std::nullopt, true},
        {"application/json", true},
        {"*/*", true},
        {" application/json ", true},
        {"", false},
        {"application/json;q=1", false},
        {"application/json, text/plain", false},
        {"Application/Json", false},
        {"text/plain", false},
        {"application/octet-stream", false},
    };
    for (const auto& [header, expected] : cases) {
        CAPTURE(header.value_or("<absent>"));
        CHECK(core::isMetadataAccept(header) == expected);
    }
}

TEST_CASE("classifyPayloadAccept served types", "[unit]") {
    using core::PayloadAccept;
    const std::vector<std::pair<Header, PayloadAccept>> cases = {
        {std::nullopt, PayloadAccept::OctetStream},
        {"", PayloadAccept::OctetStream},
        {"*/*", PayloadAccept::StoredType},
        {"text/plain", PayloadAccept::TextPlain},
        {"text/plain;charset=utf-8", PayloadAccept::TextPlain},
        {"text/plain; charset=utf-8", PayloadAccept::TextPlain},
        {"application/octet-stream", PayloadAccept::OctetStream},
        {"application/pkcs8", PayloadAccept::Pkcs8},
    };
    for (const auto& [header, expected] : cases) {
        CAPTURE(header.value_or("<absent>"));
        CHECK(core::classifyPayloadAccept(header) == expected);
    }
}

TEST_CASE("classifyPayloadAccept not acceptable", "[unit]") {
    const std::vector<std::string> headers = {
        "Text/Plain",
        "text/plain;charset=UTF-8",
        "text/plain ; charset=utf-8",
        "text/plain; charset=latin1",
        "text/plain;q=1",
        "text/plain, */*",
        "text/*",
        "application/pkix-cert",
        "Application/Octet-Stream",
        "application/json",
        "image/png",
    };
    for (const std::string& header : headers) {
        CAPTURE(header);
        try {
            core::classifyPayloadAccept(header);
            FAIL("no error");
        } catch (const core::Error& error) {
            CHECK(error.kind() == core::ErrorKind::NotAcceptable);
        }
    }
}

TEST_CASE("payloadServedType resolution", "[unit]") {
    CHECK(core::payloadServedType(std::nullopt, "text/plain") == "application/octet-stream");
    CHECK(core::payloadServedType("*/*", "application/pkcs8") == "application/pkcs8");
    CHECK(core::payloadServedType("*/*", "text/plain") == "text/plain");
    CHECK(core::payloadServedType("text/plain; charset=utf-8", "application/octet-stream") == "text/plain");
    CHECK(core::payloadServedType("application/pkcs8", "text/plain") == "application/pkcs8");
    CHECK_THROWS_AS(core::payloadServedType("image/png", "text/plain"), core::Error);
}

TEST_CASE("isPlainTextUtf8 charset rules", "[unit]") {
    const std::vector<std::pair<std::string, bool>> cases = {
        {"text/plain", true},
        {"text/plain;charset=utf-8", true},
        {"text/plain; charset=utf-8", true},
        {"TEXT/PLAIN;CHARSET=UTF-8", true},
        {"text/plain ; charset = utf-8", true},
        {" text/plain ", true},
        {"text/plain; charset=\"utf-8\"", true},  // a quoted-string equals the token
        {"text", false},
        {"text/", false},
        {"", false},
        {"text/plain;", false},
        {"text/plain;charset", false},
        {"text/plain; charset=latin1", false},
        {"text/plain; charset=utf8", false},
        {"text/plain;charset=utf-8;x=y", false},
        {"text/plain; foo=utf-8", false},
        {"text/html", false},
    };
    for (const auto& [content_type, expected] : cases) {
        CAPTURE(content_type);
        CHECK(core::isPlainTextUtf8(content_type) == expected);
    }
}

TEST_CASE("storedPayloadType supported types", "[unit]") {
    const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
        {"text/plain", "text/plain"},
        {"text/plain; charset=utf-8", "text/plain"},
        {"application/octet-stream", "application/octet-stream"},
        {"Application/PKCS8", "application/pkcs8"},
        {"application/octet-stream; charset=utf-8", std::nullopt},
        {"application/pkix-cert", std::nullopt},
        {"application/json", std::nullopt},
        {"text/plain; charset=latin1", std::nullopt},
        {"", std::nullopt},
    };
    for (const auto& [content_type, expected] : cases) {
        CAPTURE(content_type);
        CHECK(core::storedPayloadType(content_type) == expected);
    }
}
