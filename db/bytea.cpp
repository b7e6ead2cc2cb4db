#include "db/bytea.h"

#include "core/error.h"

namespace db {
namespace {

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string hexEncode(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.resize(bytes.size() * 2);
    for (size_t i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        out[2 * i] = kDigits[b >> 4];
        out[2 * i + 1] = kDigits[b & 0x0f];
    }
    return out;
}

std::string hexDecode(std::string_view hex) {
    if (hex.size() % 2 != 0) throw core::Error(core::ErrorKind::Internal, "Stored data is corrupt.", "odd hex length");
    std::string out;
    out.resize(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = nibble(hex[2 * i]);
        const int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) throw core::Error(core::ErrorKind::Internal, "Stored data is corrupt.", "bad hex digit");
        out[i] = static_cast<char>(hi * 16 + lo);
    }
    return out;
}

}  // namespace db
