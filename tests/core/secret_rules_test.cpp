#include "core/base64.h"
#include "core/error.h"
#include "core/json_body.h"
#include "core/secret_rules.h"

#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace {

const core::Timestamp kNow = *core::parseIso8601("2030-01-01T00:00:00");
const core::SecretLimits kLimits{};

struct Caught {
    core::ErrorKind kind;
    std::string message;
};

std::optional<Caught> catchError(const std::function<void()>& function) {
    try {
        function();
    } catch (const core::Error& error) {
        return Caught{error.kind(), error.what()};
    }
    return std::nullopt;
}

boost::json::object json(std::string_view text) {
    return core::parseJsonObject(text, 100000);
}

core::NewSecret parseSecret(std::string_view text, const core::SecretLimits& limits = kLimits) {
    return core::parseNewSecret(json(text), limits, kNow);
}

core::OrderRequest parseOrder(std::string_view text) {
    return core::parseOrderRequest(json(text), kLimits, kNow);
}

std::string bytesOf(const CryptoPP::SecByteBlock& block) {
    return std::string(reinterpret_cast<const char*>(block.data()), block.size());
}

std::string schemaMessage(std::string_view schema, std::string_view reason, std::string_view field) {
    return core::schemaErrorMessage(schema, reason, field);
}

// One rejected body: the error must be InvalidInput naming `field`.
struct Rejection {
    std::string body;
    std::string field;
};

void checkRejections(const std::vector<Rejection>& cases, const std::function<void(std::string_view)>& parse) {
    for (const Rejection& rejection : cases) {
        CAPTURE(rejection.body);
        const std::optional<Caught> error = catchError([&] { parse(rejection.body); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK_THAT(error->message, Catch::EndsWith("Invalid property: '" + rejection.field + "'"));
    }
}

}  // namespace

TEST_CASE("parseNewSecret defaults", "[unit]") {
    const core::NewSecret secret = parseSecret("{}");
    CHECK_FALSE(secret.name);
    CHECK(secret.secret_type == "opaque");
    CHECK_FALSE(secret.algorithm);
    CHECK_FALSE(secret.bit_length);
    CHECK_FALSE(secret.mode);
    CHECK_FALSE(secret.expiration);
    CHECK_FALSE(secret.payload);
    CHECK_FALSE(secret.transport_key_needed);
    CHECK_FALSE(secret.transport_key_id);
}

TEST_CASE("parseNewSecret full request", "[unit]") {
    const core::NewSecret secret = parseSecret(R"({
        "name": " db-master-key ", "secret_type": "symmetric", "algorithm": "aes",
        "bit_length": 256, "mode": "gcm", "expiration": "2032-06-30T12:00:00Z",
        "payload": "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=",
        "payload_content_type": "application/octet-stream",
        "payload_content_encoding": "base64", "unknown_field": [1, 2]})");
    CHECK(secret.name == "db-master-key");
    CHECK(secret.secret_type == "symmetric");
    CHECK(secret.algorithm == "aes");
    CHECK(secret.bit_length == 256);
    CHECK(secret.mode == "gcm");
    REQUIRE(secret.expiration);
    CHECK(core::formatTimestamp(*secret.expiration) == "2032-06-30T12:00:00");
    REQUIRE(secret.payload);
    CHECK(secret.payload->content_type == "application/octet-stream");
    CHECK(secret.payload->bytes.size() == 32);
    CHECK(core::base64Encode(secret.payload->bytes) == "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=");
}

TEST_CASE("parseNewSecret accepted field values", "[unit]") {
    CHECK_FALSE(parseSecret(R"({"name": null})").name);
    CHECK(parseSecret(R"({"name": ""})").name == "");
    CHECK(parseSecret(R"({"name": "   "})").name == "");
    CHECK(parseSecret(R"({"name": ")" + std::string(255, 'n') + R"("})").name->size() == 255);
    CHECK(parseSecret(R"({"bit_length": 256.0})").bit_length == 256);
    CHECK(parseSecret(R"({"bit_length": 1})").bit_length == 1);
    CHECK(parseSecret(R"({"bit_length": 32767})").bit_length == 32767);
    CHECK(parseSecret(R"({"bit_length": 7})").bit_length == 7);  // no multiple-of-8 rule
    CHECK_FALSE(parseSecret(R"({"expiration": ""})").expiration);
    CHECK_FALSE(parseSecret(R"({"expiration": "   "})").expiration);
    CHECK(core::formatTimestamp(*parseSecret(R"({"expiration": "2031-01-01T01:30:00+02:00"})").expiration) ==
          "2030-12-31T23:30:00");
    CHECK(parseSecret(R"({"expiration": "2030-01-01T00:00:00.000001"})").expiration);
    for (const std::string_view type : core::kSecretTypes) {
        CAPTURE(type);
        CHECK(parseSecret(R"({"secret_type": ")" + std::string(type) + R"("})").secret_type == type);
    }
    // The encoding alone is only type-checked.
    CHECK_FALSE(parseSecret(R"({"payload_content_encoding": "base64"})").payload);
    CHECK(parseSecret(R"({"transport_key_needed": "true"})").transport_key_needed);
    CHECK_FALSE(parseSecret(R"({"transport_key_needed": " false "})").transport_key_needed);
    CHECK(parseSecret(R"({"transport_key_id": "tk-1"})").transport_key_id == "tk-1");
}

TEST_CASE("parseNewSecret text payloads", "[unit]") {
    for (const std::string content_type :
         {"text/plain", "text/plain;charset=utf-8", "text/plain; charset=utf-8", "TEXT/PLAIN; CHARSET=UTF-8",
          "text/plain ; charset = utf-8"}) {
        CAPTURE(content_type);
        const core::NewSecret secret =
            parseSecret(R"({"payload": "  pässword\n", "payload_content_type": ")" + content_type + R"("})");
        REQUIRE(secret.payload);
        CHECK(secret.payload->content_type == "text/plain");
        CHECK(bytesOf(secret.payload->bytes) == "pässword");
    }
}

TEST_CASE("parseNewSecret binary payloads", "[unit]") {
    const core::NewSecret pkcs8 = parseSecret(
        R"({"payload": "Zm9v\nYmFy", "payload_content_type": "application/pkcs8",
            "payload_content_encoding": "base64"})");
    REQUIRE(pkcs8.payload);
    CHECK(pkcs8.payload->content_type == "application/pkcs8");
    CHECK(bytesOf(pkcs8.payload->bytes) == "foobar");

    const core::NewSecret mixed_case = parseSecret(
        R"({"payload": "AAEC", "payload_content_type": "Application/Octet-Stream",
            "payload_content_encoding": "base64"})");
    REQUIRE(mixed_case.payload);
    CHECK(mixed_case.payload->content_type == "application/octet-stream");
    CHECK(bytesOf(mixed_case.payload->bytes) == std::string("\x00\x01\x02", 3));
}

TEST_CASE("parseNewSecret rejected field types", "[unit]") {
    const std::string long_text(256, 'x');
    checkRejections(
        {
            {R"({"name": 5})", "name"},
            {R"({"name": []})", "name"},
            {R"({"name": ")" + long_text + R"("})", "name"},
            {R"({"secret_type": "Opaque"})", "secret_type"},
            {R"({"secret_type": ""})", "secret_type"},
            {R"({"secret_type": null})", "secret_type"},
            {R"({"secret_type": 5})", "secret_type"},
            {R"({"algorithm": null})", "algorithm"},
            {R"({"algorithm": 5})", "algorithm"},
            {R"({"algorithm": ")" + long_text + R"("})", "algorithm"},
            {R"({"bit_length": "256"})", "bit_length"},
            {R"({"bit_length": 1.5})", "bit_length"},
            {R"({"bit_length": true})", "bit_length"},
            {R"({"bit_length": null})", "bit_length"},
            {R"({"bit_length": 0})", "bit_length"},
            {R"({"bit_length": -8})", "bit_length"},
            {R"({"bit_length": 32768})", "bit_length"},
            {R"({"bit_length": 99999999999999999999999})", "bit_length"},
            {R"({"mode": null})", "mode"},
            {R"({"mode": ")" + long_text + R"("})", "mode"},
            {R"({"expiration": null})", "expiration"},
            {R"({"expiration": 5})", "expiration"},
            {R"({"expiration": ")" + long_text + R"("})", "expiration"},
            {R"({"payload": null, "payload_content_type": "text/plain"})", "payload"},
            {R"({"payload": 5, "payload_content_type": "text/plain"})", "payload"},
            {R"({"payload": "x", "payload_content_type": 5})", "payload_content_type"},
            {R"({"payload": "x", "payload_content_type": ")" + long_text + R"("})", "payload_content_type"},
            {R"({"payload_content_encoding": "binary"})", "payload_content_encoding"},
            {R"({"payload_content_encoding": "BASE64"})", "payload_content_encoding"},
            {R"({"payload_content_encoding": null})", "payload_content_encoding"},
            {R"({"transport_key_needed": "yes"})", "transport_key_needed"},
            {R"({"transport_key_needed": "True"})", "transport_key_needed"},
            {R"({"transport_key_needed": true})", "transport_key_needed"},
            {R"({"transport_key_id": 5})", "transport_key_id"},
        },
        [](std::string_view body) { parseSecret(body); });
}

TEST_CASE("parseNewSecret expiration rules", "[unit]") {
    const std::optional<Caught> invalid = catchError([] { parseSecret(R"({"expiration": "bogus"})"); });
    REQUIRE(invalid);
    CHECK(invalid->message == schemaMessage("Secret", "Invalid date for 'expiration'", "expiration"));

    for (const std::string expiration : {"2020-01-01", "2030-01-01T00:00:00", "2030-01-01T01:00:00+01:00"}) {
        CAPTURE(expiration);
        const std::optional<Caught> past =
            catchError([&] { parseSecret(R"({"expiration": ")" + expiration + R"("})"); });
        REQUIRE(past);
        CHECK(past->kind == core::ErrorKind::InvalidInput);
        CHECK(past->message == schemaMessage("Secret", "'expiration' is before current time", "expiration"));
    }
}

TEST_CASE("parseNewSecret payload rules", "[unit]") {
    const std::string supported =
        "payload_content_type is not one of ['text/plain', 'text/plain;charset=utf-8', "
        "'text/plain; charset=utf-8', 'application/octet-stream', 'application/pkcs8']";
    const std::vector<std::pair<std::string, std::string>> cases = {
        // 1. a content type without a payload
        {R"({"payload_content_type": "text/plain"})",
         schemaMessage("Secret", "payload must be provided when payload_content_type is specified", "payload")},
        {R"({"payload_content_type": null})",
         schemaMessage("Secret", "payload must be provided when payload_content_type is specified", "payload")},
        // 2. content type and encoding
        {R"({"payload": "x"})",
         schemaMessage("Secret", "If 'payload' is supplied, 'payload_content_type' must also be supplied",
                       "payload_content_type")},
        {R"({"payload": "x", "payload_content_type": null})",
         schemaMessage("Secret", "If 'payload' is supplied, 'payload_content_type' must also be supplied",
                       "payload_content_type")},
        {R"({"payload": "x", "payload_content_type": "text"})", schemaMessage("Secret", supported, "payload_content_type")},
        {R"({"payload": "x", "payload_content_type": "text/"})", schemaMessage("Secret", supported, "payload_content_type")},
        {R"({"payload": "x", "payload_content_type": ""})", schemaMessage("Secret", supported, "payload_content_type")},
        {R"({"payload": "x", "payload_content_type": "text/plain; charset=latin1"})",
         schemaMessage("Secret", supported, "payload_content_type")},
        {R"({"payload": "x", "payload_content_type": "application/json"})",
         schemaMessage("Secret", supported, "payload_content_type")},
        {R"({"payload": "x", "payload_content_type": "application/pkix-cert", "payload_content_encoding": "base64"})",
         schemaMessage("Secret", supported, "payload_content_type")},
        {R"({"payload": "x", "payload_content_type": "text/plain", "payload_content_encoding": "base64"})",
         schemaMessage("Secret", "payload_content_encoding must be omitted for a text/plain payload",
                       "payload_content_encoding")},
        {R"({"payload": "AAAA", "payload_content_type": "application/octet-stream"})",
         schemaMessage("Secret", "payload_content_encoding must be 'base64' for an application/octet-stream payload",
                       "payload_content_encoding")},
        // 4. empty payload
        {R"({"payload": "", "payload_content_type": "text/plain"})",
         schemaMessage("Secret", "If 'payload' specified, must be non empty", "payload")},
        {R"({"payload": " \n ", "payload_content_type": "text/plain"})",
         schemaMessage("Secret", "If 'payload' specified, must be non empty", "payload")},
        {R"({"payload": "", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"})",
         schemaMessage("Secret", "If 'payload' specified, must be non empty", "payload")},
        // 5. base64 that does not decode
        {R"({"payload": "Zm9vYg", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"})",
         schemaMessage("Secret", "Invalid payload for payload_content_encoding", "payload")},
        {R"({"payload": "Zm9vY", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"})",
         schemaMessage("Secret", "Invalid payload for payload_content_encoding", "payload")},
        {R"({"payload": "====", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"})",
         schemaMessage("Secret", "Invalid payload for payload_content_encoding", "payload")},
        {R"({"payload": "Zm9vé", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"})",
         schemaMessage("Secret", "Invalid payload for payload_content_encoding", "payload")},
    };
    for (const auto& [body, message] : cases) {
        CAPTURE(body);
        const std::optional<Caught> error = catchError([&] { parseSecret(body); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK(error->message == message);
    }
}

TEST_CASE("parseNewSecret payload size limit", "[unit]") {
    const std::string at_limit(20000, 'a');
    CHECK(parseSecret(R"({"payload": ")" + at_limit + R"(", "payload_content_type": "text/plain"})").payload);

    const std::vector<std::string> oversized = {
        R"({"payload": ")" + at_limit + R"(b", "payload_content_type": "text/plain"})",
        // Measured in UTF-8 bytes: 10001 two-byte characters.
        R"({"payload": ")" + [] {
            std::string text;
            for (int i = 0; i < 10001; ++i) {
                text += "é";
            }
            return text;
        }() + R"(", "payload_content_type": "text/plain"})",
        // Measured on the base64 text, even though 15003 bytes would fit.
        R"({"payload": ")" + std::string(20004, 'A') +
            R"(", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"})",
        // The size check comes before the base64 check.
        R"({"payload": ")" + std::string(20001, 'A') +
            R"(", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"})",
    };
    for (const std::string& body : oversized) {
        const std::optional<Caught> error = catchError([&] { parseSecret(body); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::TooLarge);
        CHECK(error->message == "The secret payload is larger than the maximum of 20000 bytes.");
    }

    // Leading and trailing whitespace is stripped before measuring.
    const std::string padded = R"({"payload": "   )" + at_limit + R"(   ", "payload_content_type": "text/plain"})";
    CHECK(parseSecret(padded).payload);

    // A configured limit applies.
    const core::SecretLimits small{4};
    CHECK(catchError([&] { parseSecret(R"({"payload": "12345", "payload_content_type": "text/plain"})", small); })
              ->kind == core::ErrorKind::TooLarge);
}

TEST_CASE("parseNewSecret rule order", "[unit]") {
    // Content type (rule 2) before size (rule 3).
    const std::optional<Caught> type_first = catchError([] {
        parseSecret(R"({"payload": ")" + std::string(20001, 'a') + R"(", "payload_content_type": "text/html"})");
    });
    REQUIRE(type_first);
    CHECK(type_first->kind == core::ErrorKind::InvalidInput);

    // Expiration before payload rules.
    const std::optional<Caught> expiration_first =
        catchError([] { parseSecret(R"({"expiration": "2000-01-01", "payload": "x"})"); });
    REQUIRE(expiration_first);
    CHECK_THAT(expiration_first->message, Catch::Contains("'expiration' is before current time"));

    // Field types before expiration.
    const std::optional<Caught> types_first =
        catchError([] { parseSecret(R"({"expiration": "2000-01-01", "bit_length": "1"})"); });
    REQUIRE(types_first);
    CHECK_THAT(types_first->message, Catch::EndsWith("Invalid property: 'bit_length'"));
}

TEST_CASE("parsePayloadPut content types", "[unit]") {
    const std::vector<std::pair<std::string, std::string>> accepted = {
        {"text/plain", "text/plain"},
        {"text/plain; charset=utf-8", "text/plain"},
        {"Text/Plain", "text/plain"},
        {"application/octet-stream", "application/octet-stream"},
        {"application/octet-stream; foo=bar", "application/octet-stream"},
    };
    for (const auto& [content_type, expected] : accepted) {
        CAPTURE(content_type);
        CHECK(core::parsePayloadPut(content_type, std::nullopt, "data", kLimits).content_type == expected);
    }

    const std::vector<std::optional<std::string_view>> rejected = {
        std::nullopt, "", "application/json", "application/pkcs8", "text/html", "garbage", "text/plain;"};
    for (const std::optional<std::string_view>& content_type : rejected) {
        CAPTURE(content_type.value_or("<absent>"));
        const std::optional<Caught> error =
            catchError([&] { core::parsePayloadPut(content_type, std::nullopt, "data", kLimits); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::UnsupportedMediaType);
    }
}

TEST_CASE("parsePayloadPut error order", "[unit]") {
    // 415 before the empty-body check.
    CHECK(catchError([] { core::parsePayloadPut("application/json", std::nullopt, "", kLimits); })->kind ==
          core::ErrorKind::UnsupportedMediaType);

    const std::optional<Caught> empty =
        catchError([] { core::parsePayloadPut("text/plain", std::nullopt, "", kLimits); });
    REQUIRE(empty);
    CHECK(empty->kind == core::ErrorKind::InvalidInput);
    CHECK(empty->message == "No data supplied to process.");

    const std::string at_limit(20000, 'x');
    CHECK_NOTHROW(core::parsePayloadPut("application/octet-stream", std::nullopt, at_limit, kLimits));
    const std::string oversized(20001, 'x');
    CHECK(catchError([&] { core::parsePayloadPut("application/octet-stream", "gzip", oversized, kLimits); })->kind ==
          core::ErrorKind::TooLarge);

    // Encoding problems surface only when decoding, after the conflict check.
    CHECK_NOTHROW(core::parsePayloadPut("application/octet-stream", "gzip", "!!", kLimits));
}

TEST_CASE("decodePayloadUpload encodings", "[unit]") {
    const auto decode = [](std::string_view content_type, std::optional<std::string_view> encoding,
                           std::string_view body) {
        return bytesOf(core::decodePayloadUpload(core::parsePayloadPut(content_type, encoding, body, kLimits)));
    };
    CHECK(decode("text/plain", std::nullopt, " text as is \n") == " text as is \n");
    CHECK(decode("text/plain", "base64", "Zm9v") == "Zm9v");  // ignored for text
    CHECK(decode("text/plain", "gzip", "Zm9v") == "Zm9v");
    CHECK(decode("application/octet-stream", std::nullopt, std::string("\x00\xFF", 2)) == std::string("\x00\xFF", 2));
    CHECK(decode("application/octet-stream", "", "Zm9v") == "Zm9v");
    CHECK(decode("application/octet-stream", "base64", "Zm9v\r\nYmFy") == "foobar");
    CHECK(decode("application/octet-stream", "BASE64", "Zm9v") == "foo");
    CHECK(decode("application/octet-stream", " Base64 ", "Zm9v") == "foo");

    for (const auto& [encoding, body] : std::vector<std::pair<std::string, std::string>>{
             {"gzip", "Zm9v"}, {"binary", "Zm9v"}, {"base64", "Zm9vY"}, {"base64", "===="}, {"base64", "!!"}}) {
        CAPTURE(encoding, body);
        const std::optional<Caught> error = catchError([&] { decode("application/octet-stream", encoding, body); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
    }
}

TEST_CASE("parseOrderRequest key order", "[unit]") {
    const core::OrderRequest order = parseOrder(R"({"type": "key", "meta": {
        "algorithm": " aes ", "bit_length": 256.0, "mode": "cbc", "custom": {"k": " v "},
        "passphrase": "ignored"}, "extra": 1})");
    CHECK(order.type == "key");
    CHECK_FALSE(order.name);
    CHECK(order.algorithm == "aes");
    CHECK(order.bit_length == 256);
    CHECK(order.mode == "cbc");
    CHECK_FALSE(order.expiration);
    CHECK(order.payload_content_type == "application/octet-stream");
    CHECK_FALSE(order.passphrase);

    CHECK(order.meta.at("name").is_null());
    CHECK(order.meta.at("expiration").is_null());
    CHECK(order.meta.at("algorithm").as_string() == "aes");
    CHECK(order.meta.at("bit_length").as_int64() == 256);
    CHECK(order.meta.at("custom").as_object().at("k").as_string() == "v");  // extra keys are kept
    CHECK_FALSE(order.meta.contains("passphrase"));
}

TEST_CASE("parseOrderRequest asymmetric order", "[unit]") {
    const core::OrderRequest order = parseOrder(R"({"type": "asymmetric", "meta": {
        "name": " pair ", "algorithm": "rsa", "bit_length": 2048, "passphrase": " s3cret ",
        "expiration": "2032-06-30T12:00:00+02:00",
        "payload_content_type": "text/plain; charset=utf-8"}})");
    CHECK(order.type == "asymmetric");
    CHECK(order.name == "pair");
    CHECK(order.passphrase == "s3cret");
    REQUIRE(order.expiration);
    CHECK(core::formatTimestamp(*order.expiration) == "2032-06-30T10:00:00");
    CHECK(order.payload_content_type == "text/plain");

    CHECK(order.meta.at("name").as_string() == "pair");
    CHECK(order.meta.at("expiration").as_string() == "2032-06-30T10:00:00");
    CHECK(order.meta.at("payload_content_type").as_string() == "text/plain; charset=utf-8");
    CHECK_FALSE(order.meta.contains("passphrase"));

    CHECK_FALSE(parseOrder(R"({"type": "asymmetric", "meta": {"algorithm": "rsa", "bit_length": 2048,
        "passphrase": ""}})").passphrase);
    CHECK(parseOrder(R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 128,
        "payload_content_type": ""}})").payload_content_type == "application/octet-stream");
    CHECK(parseOrder(R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 128,
        "payload_content_type": null}})").payload_content_type == "application/octet-stream");
}

TEST_CASE("parseOrderRequest rejected orders", "[unit]") {
    const std::string meta_schema = "Secret' within 'Order";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"type": "key"})", schemaMessage("Order", "'meta' is a required property", "meta")},
        {R"({})", schemaMessage("Order", "'meta' is a required property", "meta")},
        {R"({"type": "key", "meta": []})",
         schemaMessage("Order", "'meta' must be of type 'object', not 'array'", "meta")},
        {R"({"type": "key", "meta": null})",
         schemaMessage("Order", "'meta' must be of type 'object', not 'null'", "meta")},
        {R"({"meta": {}})", schemaMessage("Order", "'type' is a required property", "type")},
        {R"({"type": 5, "meta": {}})", schemaMessage("Order", "'type' must be of type 'string', not 'integer'", "type")},
        {R"({"type": "KEY", "meta": {}})", schemaMessage("Order", "'KEY' is not one of ['key', 'asymmetric']", "type")},
        {R"({"type": "certificate", "meta": {}})",
         schemaMessage("Order", "'certificate' is not one of ['key', 'asymmetric']", "type")},
        {R"({"type": "key", "meta": {"bit_length": 256}})",
         schemaMessage("Order", "'algorithm' is required field for key type order", "meta")},
        {R"({"type": "key", "meta": {"algorithm": "  ", "bit_length": 256}})",
         schemaMessage("Order", "'algorithm' is required field for key type order", "meta")},
        {R"({"type": "asymmetric", "meta": {"bit_length": 2048}})",
         schemaMessage("Order", "'algorithm' is required field for asymmetric key type order", "meta")},
        {R"({"type": "key", "meta": {"algorithm": "aes"}})",
         schemaMessage("Order", "'bit_length' is required field for key type order", "meta")},
        {R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 250}})",
         "Provided field value is not supported: 'bit_length' must be a positive integer that is a multiple of 8."},
        {R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": "256"}})",
         schemaMessage(meta_schema, "'bit_length' must be of type 'integer', not 'string'", "bit_length")},
        {R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 256, "payload": "x",
            "payload_content_type": "text/plain"}})",
         schemaMessage("Order", "'payload' not allowed for key type order", "meta")},
        {R"({"type": "asymmetric", "meta": {"algorithm": "rsa", "bit_length": 2048, "payload": "x",
            "payload_content_type": "text/plain"}})",
         schemaMessage("Order", "'payload' not allowed for asymmetric type order", "meta")},
        {R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 256, "payload": "x"}})",
         schemaMessage(meta_schema, "If 'payload' is supplied, 'payload_content_type' must also be supplied",
                       "payload_content_type")},
        {R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 256, "payload_content_type": "text/xml"}})",
         schemaMessage(meta_schema,
                       "payload_content_type is not one of ['text/plain', 'text/plain;charset=utf-8', "
                       "'text/plain; charset=utf-8', 'application/octet-stream', 'application/pkcs8']",
                       "payload_content_type")},
        {R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 256, "name": 7}})",
         schemaMessage(meta_schema, "'name' must be of type 'string' or 'null', not 'integer'", "name")},
        {R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 256, "expiration": "2000-01-01"}})",
         schemaMessage(meta_schema, "'expiration' is before current time", "expiration")},
        {R"({"type": "asymmetric", "meta": {"algorithm": "rsa", "bit_length": 2048, "passphrase": 5}})",
         schemaMessage(meta_schema, "'passphrase' must be of type 'string', not 'integer'", "passphrase")},
        {R"({"type": "asymmetric", "meta": {"algorithm": "rsa", "bit_length": 2048, "passphrase": null}})",
         schemaMessage(meta_schema, "'passphrase' must be of type 'string', not 'null'", "passphrase")},
    };
    for (const auto& [body, message] : cases) {
        CAPTURE(body);
        const std::optional<Caught> error = catchError([&] { parseOrder(body); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK(error->message == message);
    }

    // The secret rules run first, so an oversized payload is TooLarge.
    const std::optional<Caught> oversized = catchError([] {
        parseOrder(R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 256, "payload": ")" +
                   std::string(20001, 'a') + R"(", "payload_content_type": "text/plain"}})");
    });
    REQUIRE(oversized);
    CHECK(oversized->kind == core::ErrorKind::TooLarge);

    // A passphrase of a key order is neither checked nor kept.
    CHECK_FALSE(parseOrder(R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 256,
        "passphrase": 5}})").meta.contains("passphrase"));
}

TEST_CASE("validateMetadataKey rules", "[unit]") {
    const std::vector<std::string> accepted = {"a", "A-b_9", "key-manager", std::string(255, 'k')};
    for (const std::string& key : accepted) {
        CAPTURE(key);
        CHECK_NOTHROW(core::validateMetadataKey(key));
    }
    const std::vector<std::pair<std::string, std::string>> rejected = {
        {"", "Invalid Key. Key must not be empty."},
        {std::string(256, 'k'), "Invalid Key. Key must be at most 255 characters long."},
        {"a b", "Invalid Key. Key must be URL safe."},
        {"a.b", "Invalid Key. Key must be URL safe."},
        {"a/b", "Invalid Key. Key must be URL safe."},
        {"a%20", "Invalid Key. Key must be URL safe."},
        {"\xC3\xA9", "Invalid Key. Key must be URL safe."},
        {" a", "Invalid Key. Key must be URL safe."},
    };
    for (const auto& [key, message] : rejected) {
        CAPTURE(key);
        const std::optional<Caught> error = catchError([&] { core::validateMetadataKey(key); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK(error->message == message);
    }
}

TEST_CASE("parseMetadataPut bodies", "[unit]") {
    const std::map<std::string, std::string> metadata =
        core::parseMetadataPut(json(R"({"metadata": {"Foo": "bar", "x-1": "  v ", "e": ""}})"));
    const std::map<std::string, std::string> expected = {{"foo", "bar"}, {"x-1", "v"}, {"e", ""}};
    CHECK(metadata == expected);
    CHECK(core::parseMetadataPut(json(R"({"metadata": {}})")).empty());

    // Keys differing only in case: the later one wins.
    CHECK(core::parseMetadataPut(json(R"({"metadata": {"a": "1", "A": "2"}})")).at("a") == "2");
    CHECK(core::parseMetadataPut(json(R"({"metadata": {"A": "2", "a": "1"}})")).at("a") == "1");

    const std::vector<std::pair<std::string, std::string>> rejected = {
        {R"({})", schemaMessage("SecretMetadata", "'metadata' is a required property", "metadata")},
        {R"({"metadata": []})",
         schemaMessage("SecretMetadata", "'metadata' must be of type 'object', not 'array'", "metadata")},
        {R"({"metadata": {"k": 5}})", "Invalid Metadata. Keys and Values must be Strings."},
        {R"({"metadata": {"k": null}})", "Invalid Metadata. Keys and Values must be Strings."},
        {R"({"metadata": {"k": ["v"]}})", "Invalid Metadata. Keys and Values must be Strings."},
        {R"({"metadata": {"k": ")" + std::string(256, 'v') + R"("}})",
         "Invalid Metadata. The value of 'k' is longer than 255 characters."},
        {R"({"metadata": {"": "v"}})", "Invalid Key. Key must not be empty."},
        {R"({"metadata": {"a b": "v"}})", "Invalid Key. Key must be URL safe."},
        {R"({"metadata": {")" + std::string(256, 'k') + R"(": "v"}})",
         "Invalid Key. Key must be at most 255 characters long."},
    };
    for (const auto& [body, message] : rejected) {
        CAPTURE(body);
        const std::optional<Caught> error = catchError([&] { core::parseMetadataPut(json(body)); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK(error->message == message);
    }
}

TEST_CASE("parseMetadatum bodies", "[unit]") {
    CHECK(core::parseMetadatum(json(R"({"key": "Foo-1", "value": " bar "})")) ==
          std::pair<std::string, std::string>("foo-1", "bar"));
    CHECK(core::parseMetadatum(json(R"({"key": "k", "value": ""})")).second.empty());

    const std::vector<std::pair<std::string, std::string>> rejected = {
        {R"({"value": "v"})", schemaMessage("SecretMetadatum", "'key' is a required property", "key")},
        {R"({"key": "k"})", schemaMessage("SecretMetadatum", "'value' is a required property", "value")},
        {R"({"key": 5, "value": "v"})",
         schemaMessage("SecretMetadatum", "'key' must be of type 'string', not 'integer'", "key")},
        {R"({"key": "k", "value": null})",
         schemaMessage("SecretMetadatum", "'value' must be of type 'string', not 'null'", "value")},
        {R"({"key": "k", "value": ")" + std::string(256, 'v') + R"("})",
         schemaMessage("SecretMetadatum", "'value' is longer than 255 characters", "value")},
        {R"({"key": ")" + std::string(256, 'k') + R"(", "value": "v"})",
         schemaMessage("SecretMetadatum", "'key' is longer than 255 characters", "key")},
        {R"({"key": "k", "value": "v", "other": 1})",
         schemaMessage("SecretMetadatum", "Additional properties are not allowed ('other' was unexpected)", "other")},
        {R"({"key": "a b", "value": "v"})", "Invalid Key. Key must be URL safe."},
        {R"({"key": "", "value": "v"})", "Invalid Key. Key must not be empty."},
    };
    for (const auto& [body, message] : rejected) {
        CAPTURE(body);
        const std::optional<Caught> error = catchError([&] { core::parseMetadatum(json(body)); });
        REQUIRE(error);
        CHECK(error->kind == core::ErrorKind::InvalidInput);
        CHECK(error->message == message);
    }
}
