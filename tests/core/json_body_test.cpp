#include "core/error.h"
#include "core/json_body.h"

#include <catch2/catch.hpp>

#include <limits>
#include <optional>
#include <string>

namespace {

struct Caught {
    core::ErrorKind kind;
    std::string message;
};

template <typename Function>
std::optional<Caught> catchError(Function&& function) {
    try {
        function();
    } catch (const core::Error& error) {
        return Caught{error.kind(), error.what()};
    }
    return std::nullopt;
}

constexpr std::size_t kMaxBytes = 25000;

boost::json::object parse(std::string_view body) {
    return core::parseJsonObject(body, kMaxBytes);
}

std::string nested(std::size_t depth) {
    // An object holding depth - 1 nested arrays: `depth` levels in total.
    return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

}  // namespace

TEST_CASE("parseJsonObject valid object", "[unit]") {
    const boost::json::object body = parse(R"({"name": "k", "bits": 256, "tags": [1, null]})");
    CHECK(body.at("name").as_string() == "k");
    CHECK(body.at("bits").as_int64() == 256);
    CHECK(body.at("tags").as_array().size() == 2);
}

TEST_CASE("parseJsonObject malformed bodies", "[unit]") {
    const std::vector<std::string> bodies = {
        "",
        "   ",
        "{",
        "{\"a\":}",
        "{\"a\":1,}",
        "{'a':1}",
        "{\"a\":1} trailing",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
        "{\"a\":1e400}",
        "{\"a\":-1e400}",
        "\xEF\xBB\xBF{}",                       // UTF-8 byte order mark
        "{\"a\":\"\xFF\"}",                     // invalid UTF-8 in a value
        "{\"\xC3\":1}",                         // truncated UTF-8 in a key
        "{\"a\":\"\xC0\xAF\"}",                 // overlong encoding
        "{\"a\":\"\xED\xA0\x80\"}",             // encoded surrogate
        "{\"a\":\"\\ud800\"}",                  // lone surrogate escape
        std::string("{\"a\":\"x\0y\"}", 11),    // raw NUL byte
        "{\"a\":\"line\nbreak\"}",              // raw control character
    };
    for (const std::string& body : bodies) {
        CAPTURE(body);
        const auto error = catchError([&] { parse(body); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK(error->message == "Malformed JSON");
    }
}

TEST_CASE("parseJsonObject non-object top level", "[unit]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"[1]", "array"}, {"\"x\"", "string"}, {"5", "integer"}, {"null", "null"}, {"true", "boolean"}};
    for (const auto& [body, type] : cases) {
        CAPTURE(body);
        const auto error = catchError([&] { parse(body); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK(error->message == "The request body must be a JSON object, not '" + type + "'.");
    }
}

TEST_CASE("parseJsonObject depth limit", "[unit]") {
    CHECK_NOTHROW(parse(nested(32)));
    const auto error = catchError([] { parse(nested(33)); });
    REQUIRE(error);
    CHECK(error->message == "Malformed JSON");
}

TEST_CASE("parseJsonObject deep nesting no crash", "[unit]") {
    const std::string arrays(10000, '[');
    CHECK(catchError([&] { parse(arrays); }));
    const std::string inside_object = "{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
    CHECK(catchError([&] { parse(inside_object); }));
}

TEST_CASE("parseJsonObject body size limit", "[unit]") {
    const std::string body = R"({"name": "abcdef"})";
    CHECK_NOTHROW(core::parseJsonObject(body, body.size()));
    const auto error = catchError([&] { core::parseJsonObject(body, body.size() - 1); });
    REQUIRE(error);
    CHECK(error->message == "Malformed JSON");

    // Like upstream, only the first max_bytes are read: padding past the
    // limit is never seen.
    const std::string padded = body + std::string(100, ' ') + "garbage";
    CHECK_NOTHROW(core::parseJsonObject(padded, body.size() + 10));
}

TEST_CASE("parseJsonObject NUL in strings", "[unit]") {
    const auto in_value = catchError([] { parse(R"({"name": "a\u0000b"})"); });
    REQUIRE(in_value);
    CHECK(in_value->kind == core::ErrorKind::InvalidInput);
    CHECK(in_value->message == "JSON strings must not contain the NUL character (\\u0000).");

    const auto nested_value = catchError([] { parse(R"({"a": [{"b": "\u0000"}]})"); });
    REQUIRE(nested_value);
    CHECK(nested_value->kind == core::ErrorKind::InvalidInput);

    const auto in_key = catchError([] { parse(R"({"a\u0000": 1})"); });
    REQUIRE(in_key);
    CHECK(in_key->message == "JSON object keys must not contain the NUL character (\\u0000).");
}

TEST_CASE("parseJsonObject duplicate keys keep last", "[unit]") {
    // Python's json module, which upstream uses, also keeps the last value.
    const boost::json::object body = parse(R"({"name": "a", "name": "b"})");
    CHECK(body.size() == 1);
    CHECK(body.at("name").as_string() == "b");
}

TEST_CASE("parseJsonObject large numbers", "[unit]") {
    const boost::json::object body = parse(
        R"({"i64": 9223372036854775807, "u64": 18446744073709551615,
            "big": 99999999999999999999999, "neg": -9223372036854775809})");
    CHECK(body.at("i64").as_int64() == 9223372036854775807);
    CHECK(body.at("u64").as_uint64() == 18446744073709551615ULL);
    CHECK(body.at("big").is_double());
    CHECK(body.at("neg").is_double());
}

TEST_CASE("parseJsonObject strips string values", "[unit]") {
    const boost::json::object body = parse(
        R"({"name": "  key \t\n", " spaced key ": " v ",
            "list": [" a ", {"deep": "\u00a0b\u3000"}], "control": "\u001fc\u001c",
            "inner": "a  b", "blank": "   "})");
    CHECK(body.at("name").as_string() == "key");
    CHECK(body.contains(" spaced key "));  // keys are kept as sent
    CHECK(body.at(" spaced key ").as_string() == "v");
    CHECK(body.at("list").as_array()[0].as_string() == "a");
    CHECK(body.at("list").as_array()[1].as_object().at("deep").as_string() == "b");
    CHECK(body.at("control").as_string() == "c");
    CHECK(body.at("inner").as_string() == "a  b");
    CHECK(body.at("blank").as_string() == "");
}

TEST_CASE("stripWhitespace python semantics", "[unit]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", ""},
        {"abc", "abc"},
        {" \t\n\r\f\vabc \t", "abc"},
        {"\x1c\x1d\x1e\x1f" "abc", "abc"},
        {"\xC2\x85" "abc" "\xC2\xA0", "abc"},                    // U+0085, U+00A0
        {"\xE3\x80\x80" "abc" "\xE2\x80\xA8", "abc"},            // U+3000, U+2028
        {"\xE2\x80\x8B" "abc", "\xE2\x80\x8B" "abc"},            // U+200B is not whitespace
        {"a\xC3\xA9 ", "a\xC3\xA9"},                             // multi-byte last character kept
        {"  \xC3\xA9", "\xC3\xA9"},
        {"\xFF abc \xFF", "\xFF abc \xFF"},                      // invalid bytes stop stripping
    };
    for (const auto& [input, expected] : cases) {
        CAPTURE(input);
        CHECK(core::stripWhitespace(input) == expected);
    }
}

TEST_CASE("jsonTypeName kinds", "[unit]") {
    const boost::json::object body =
        parse(R"({"s": "x", "i": 1, "u": 18446744073709551615, "f": 1.5, "g": 2.0,
                  "b": false, "n": null, "a": [], "o": {}})");
    CHECK(core::jsonTypeName(body.at("s")) == "string");
    CHECK(core::jsonTypeName(body.at("i")) == "integer");
    CHECK(core::jsonTypeName(body.at("u")) == "integer");
    CHECK(core::jsonTypeName(body.at("f")) == "number");
    CHECK(core::jsonTypeName(body.at("g")) == "integer");
    CHECK(core::jsonTypeName(body.at("b")) == "boolean");
    CHECK(core::jsonTypeName(body.at("n")) == "null");
    CHECK(core::jsonTypeName(body.at("a")) == "array");
    CHECK(core::jsonTypeName(body.at("o")) == "object");
}

TEST_CASE("schemaErrorMessage shape", "[unit]") {
    CHECK(core::schemaErrorMessage("Secret", "'x' is too long", "name") ==
          "Provided object does not match schema 'Secret': 'x' is too long. Invalid property: 'name'");
}

TEST_CASE("optionalString field rules", "[unit]") {
    const boost::json::object body =
        parse(R"({"s": "text", "n": null, "i": 5, "long": "abcdef", "accented": "ééé"})");

    CHECK(core::optionalString(body, "Secret", "s", 10) == "text");
    CHECK_FALSE(core::optionalString(body, "Secret", "absent", 10));
    CHECK_FALSE(core::optionalString(body, "Secret", "n", 10, core::JsonNull::Allow));
    // maxLength counts code points, not bytes.
    CHECK(core::optionalString(body, "Secret", "accented", 3) == "ééé");

    const auto null_rejected = catchError([&] { core::optionalString(body, "Secret", "n", 10); });
    REQUIRE(null_rejected);
    CHECK(null_rejected->message ==
          "Provided object does not match schema 'Secret': 'n' must be of type 'string', not 'null'. "
          "Invalid property: 'n'");

    const auto wrong_type =
        catchError([&] { core::optionalString(body, "Order", "i", 10, core::JsonNull::Allow); });
    REQUIRE(wrong_type);
    CHECK(wrong_type->kind == core::ErrorKind::InvalidInput);
    CHECK(wrong_type->message ==
          "Provided object does not match schema 'Order': 'i' must be of type 'string' or 'null', "
          "not 'integer'. Invalid property: 'i'");

    const auto too_long = catchError([&] { core::optionalString(body, "Secret", "long", 5); });
    REQUIRE(too_long);
    CHECK(too_long->message ==
          "Provided object does not match schema 'Secret': 'long' is longer than 5 characters. "
          "Invalid property: 'long'");
    CHECK(catchError([&] { core::optionalString(body, "Secret", "accented", 2); }));
}

TEST_CASE("requiredString missing field", "[unit]") {
    const boost::json::object body = parse(R"({"a": "x"})");
    CHECK(core::requiredString(body, "Order", "a", 10) == "x");
    const auto missing = catchError([&] { core::requiredString(body, "Order", "type", 10); });
    REQUIRE(missing);
    CHECK(missing->message ==
          "Provided object does not match schema 'Order': 'type' is a required property. "
          "Invalid property: 'type'");
}

TEST_CASE("optionalInt accepted values", "[unit]") {
    const boost::json::object body =
        parse(R"({"plain": 256, "float_int": 256.0, "exp": 1e2, "min": 1, "max": 32767, "n": null})");
    CHECK(core::optionalInt(body, "Secret", "plain", 1, 32767) == 256);
    CHECK(core::optionalInt(body, "Secret", "float_int", 1, 32767) == 256);
    CHECK(core::optionalInt(body, "Secret", "exp", 1, 32767) == 100);
    CHECK(core::optionalInt(body, "Secret", "min", 1, 32767) == 1);
    CHECK(core::optionalInt(body, "Secret", "max", 1, 32767) == 32767);
    CHECK_FALSE(core::optionalInt(body, "Secret", "absent", 1, 32767));
    CHECK_FALSE(core::optionalInt(body, "Secret", "n", 1, 32767, core::JsonNull::Allow));
}

TEST_CASE("optionalInt rejected values", "[unit]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"("256")", "'v' must be of type 'integer', not 'string'"},
        {"1.5", "'v' must be of type 'integer', not 'number'"},
        {"true", "'v' must be of type 'integer', not 'boolean'"},
        {"null", "'v' must be of type 'integer', not 'null'"},
        {"[1]", "'v' must be of type 'integer', not 'array'"},
        {"0", "'v' must be at least 1"},
        {"-5", "'v' must be at least 1"},
        {"32768", "'v' must be at most 32767"},
        {"18446744073709551615", "'v' must be at most 32767"},
        {"99999999999999999999999", "'v' must be at most 32767"},
        {"-99999999999999999999999", "'v' must be at least 1"},
        {"1e300", "'v' must be at most 32767"},
    };
    for (const auto& [value, reason] : cases) {
        CAPTURE(value);
        const boost::json::object body = parse("{\"v\": " + value + "}");
        const auto error = catchError([&] { core::optionalInt(body, "Secret", "v", 1, 32767); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK(error->message ==
              "Provided object does not match schema 'Secret': " + reason + ". Invalid property: 'v'");
    }
}

TEST_CASE("optionalInt full int64 range", "[unit]") {
    const boost::json::object body = parse(R"({"edge": 9223372036854775807.0})");
    CHECK(catchError([&] {
        core::optionalInt(body, "S", "edge", 0, std::numeric_limits<std::int64_t>::max());
    }));
}

TEST_CASE("object field readers", "[unit]") {
    const boost::json::object body = parse(R"({"meta": {"a": 1}, "list": [], "n": null})");
    CHECK(core::requiredObject(body, "Order", "meta").contains("a"));
    CHECK(core::optionalObject(body, "Order", "absent") == nullptr);

    const auto not_object = catchError([&] { core::requiredObject(body, "Order", "list"); });
    REQUIRE(not_object);
    CHECK(not_object->message ==
          "Provided object does not match schema 'Order': 'list' must be of type 'object', not "
          "'array'. Invalid property: 'list'");
    CHECK(catchError([&] { core::optionalObject(body, "Order", "n"); }));

    const auto missing = catchError([&] { core::requiredObject(body, "Order", "absent"); });
    REQUIRE(missing);
    CHECK(missing->message ==
          "Provided object does not match schema 'Order': 'absent' is a required property. "
          "Invalid property: 'absent'");
}
