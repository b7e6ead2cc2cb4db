#pragma once

// Base64 (RFC 4648 standard alphabet) with the lenient decoding rules of
// Python's base64.b64decode(validate=False), which upstream Barbican uses for
// secret payloads.

#include <cryptopp/secblock.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace core {

// Encodes with padding and without line breaks.
std::string base64Encode(std::span<const std::uint8_t> bytes);
std::string base64Encode(std::string_view bytes);
std::string base64Encode(const CryptoPP::SecByteBlock& bytes);

// Decodes `text` the way binascii.a2b_base64 does in non-strict mode: bytes
// outside the alphabet (line breaks, spaces, any non-ASCII byte) are skipped;
// an '=' that completes a quantum ends decoding and the rest is ignored; an
// '=' before the second character of a quantum is skipped. Returns
// std::nullopt when the data characters leave an incomplete quantum without
// enough padding ("Incorrect padding") or one more than a multiple of four.
// Empty input, or input with no data characters, decodes to no bytes.
std::optional<CryptoPP::SecByteBlock> base64DecodeLenient(std::string_view text);

}  // namespace core
