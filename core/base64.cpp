#include "core/base64.h"

#include <array>

namespace core {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kNotInAlphabet = 0xFF;

constexpr std::array<std::uint8_t, 256> makeDecodeTable() {
    std::array<std::uint8_t, 256> table{};
    for (auto& entry : table) {
        entry = kNotInAlphabet;
    }
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return table;
}

constexpr std::array<std::uint8_t, 256> kDecodeTable = makeDecodeTable();

}  // namespace

std::string base64Encode(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t group = (std::uint32_t{bytes[i]} << 16) |
                                    (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        out += kAlphabet[(group >> 18) & 0x3F];
        out += kAlphabet[(group >> 12) & 0x3F];
        out += kAlphabet[(group >> 6) & 0x3F];
        out += kAlphabet[group & 0x3F];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t group = std::uint32_t{bytes[i]} << 16;
        out += kAlphabet[(group >> 18) & 0x3F];
        out += kAlphabet[(group >> 12) & 0x3F];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t group = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
        out += kAlphabet[(group >> 18) & 0x3F];
        out += kAlphabet[(group >> 12) & 0x3F];
        out += kAlphabet[(group >> 6) & 0x3F];
        out += '=';
    }
    return out;
}

std::string base64Encode(std::string_view bytes) {
    return base64Encode(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::string base64Encode(const CryptoPP::SecByteBlock& bytes) {
    return base64Encode(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
}

std::optional<CryptoPP::SecByteBlock> base64DecodeLenient(std::string_view text) {
    CryptoPP::SecByteBlock out(text.size() / 4 * 3 + 3);
    std::size_t written = 0;
    int quad_position = 0;  // data characters seen in the current quantum
    int pads = 0;           // '=' seen since the last data character
    std::uint8_t carry = 0;
    bool complete = false;  // an '=' sequence ended the data

    for (const char ch : text) {
        if (ch == '=') {
            // An '=' counts only after two data characters of a quantum; it
            // ends decoding once data plus padding fill the quantum.
            if (quad_position >= 2 && quad_position + ++pads >= 4) {
                complete = true;
                break;
            }
            continue;
        }
        const std::uint8_t sextet = kDecodeTable[static_cast<unsigned char>(ch)];
        if (sextet == kNotInAlphabet) {
            continue;
        }
        pads = 0;
        switch (quad_position) {
        case 0:
            carry = sextet;
            quad_position = 1;
            break;
        case 1:
            out[written++] = static_cast<std::uint8_t>((carry << 2) | (sextet >> 4));
            carry = sextet & 0x0F;
            quad_position = 2;
            break;
        case 2:
            out[written++] = static_cast<std::uint8_t>((carry << 4) | (sextet >> 2));
            carry = sextet & 0x03;
            quad_position = 3;
            break;
        default:
            out[written++] = static_cast<std::uint8_t>((carry << 6) | sextet);
            carry = 0;
            quad_position = 0;
            break;
        }
    }

    if (!complete && quad_position != 0) {
        return std::nullopt;
    }
    out.resize(written);
    return out;
}

}  // namespace core
