#include "db/like_range.h"

#include <cstdint>
#include <vector>

namespace db {
namespace {

// Decodes UTF-8, rejecting overlong forms, surrogates and values past
// U+10FFFF. Returns false on any invalid sequence.
bool decodeUtf8(const std::string& text, std::vector<char32_t>& out) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        int length = 0;
        char32_t code = 0;
        if (lead < 0x80) {
            length = 1;
            code = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2;
            code = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            code = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            code = lead & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (int k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3F);
        }
        static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        out.push_back(code);
        i += length;
    }
    return true;
}

void encodeUtf8(char32_t code, std::string& out) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

}  // namespace

std::optional<LikeRange> likePrefixRange(const std::string& pattern) {
    const std::string prefix = pattern.substr(0, pattern.find_first_of("%_"));
    std::vector<char32_t> codes;
    if (prefix.empty() || !decodeUtf8(prefix, codes)) return std::nullopt;

    // The smallest string above every string that starts with the prefix:
    // the prefix with its last code point raised by one. A last code point
    // U+10FFFF cannot be raised, so it is dropped and the one before raised.
    while (!codes.empty() && codes.back() == 0x10FFFF) codes.pop_back();
    if (codes.empty()) return std::nullopt;
    char32_t& last = codes.back();
    last = last == 0xD7FF ? 0xE000 : last + 1;  // UTF-8 text contains no surrogates

    LikeRange range;
    range.lower = prefix;
    for (char32_t code : codes) encodeUtf8(code, range.upper);
    return range;
}

}  // namespace db
