#include "core/base64.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

namespace {

std::optional<std::string> decodeToString(std::string_view text) {
    const std::optional<CryptoPP::SecByteBlock> bytes = core::base64DecodeLenient(text);
    if (!bytes) {
        return std::nullopt;
    }
    return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

}  // namespace

TEST_CASE("base64Encode RFC 4648 vectors", "[unit]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : cases) {
        CAPTURE(plain);
        CHECK(core::base64Encode(std::string_view(plain)) == encoded);
    }
}

TEST_CASE("base64Encode binary overloads", "[unit]") {
    const std::vector<std::uint8_t> bytes = {0x00, 0xFF, 0xFE, 0x80, 0x3E, 0x3F};
    CHECK(core::base64Encode(std::span<const std::uint8_t>(bytes)) == "AP/+gD4/");
    const CryptoPP::SecByteBlock block(bytes.data(), bytes.size());
    CHECK(core::base64Encode(block) == "AP/+gD4/");
}

TEST_CASE("base64 round trip", "[unit]") {
    std::string data;
    for (int length = 0; length < 70; ++length) {
        CAPTURE(length);
        const std::optional<std::string> decoded = decodeToString(core::base64Encode(std::string_view(data)));
        REQUIRE(decoded);
        CHECK(*decoded == data);
        data += static_cast<char>((length * 37 + 11) & 0xFF);
    }
}

// Expected results were produced with Python 3's base64.b64decode().
TEST_CASE("base64DecodeLenient python semantics", "[unit]") {
    const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
        {"", ""},
        {"Zm9vYmFy", "foobar"},
        {"Zm9v\nYmFy", "foobar"},           // line break skipped
        {"Zm9v YmFy\r\n", "foobar"},        // spaces skipped
        {"Zm9v\xFF", "foo"},                // non-ASCII byte skipped
        {"QUJD-_", "ABC"},                  // URL-safe characters are not in the alphabet
        {"Zm9vYg==", "foob"},
        {"Zm9vYmE=", "fooba"},
        {"Zm9vYg==trailing", "foob"},       // decoding stops at completed padding
        {"Zm9vYmE=YmFy", "fooba"},
        {"Zm9vYg=\n=", "foob"},
        {"Zm=9v", "foo"},                   // '=' that does not complete a quantum is skipped
        {"=Zm9v", "foo"},
        {"Z=g==", "f"},
        {"Zg=a=", std::string("f\x06")},
        {"AB==", std::string("\x00", 1)},
        {"ABC=", std::string("\x00\x10", 2)},
        {"AB=C=", std::string("\x00\x10", 2)},
        {"====", ""},
        {"Zm9vYg", std::nullopt},           // incorrect padding
        {"Zm9vYg=", std::nullopt},
        {"Zm9vYmE", std::nullopt},
        {"AB", std::nullopt},
        {"ABC", std::nullopt},
        {"Zm9vY", std::nullopt},            // one more than a multiple of four
        {"A", std::nullopt},
    };
    for (const auto& [input, expected] : cases) {
        CAPTURE(input);
        CHECK(decodeToString(input) == expected);
    }
}
