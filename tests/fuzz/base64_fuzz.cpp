// libFuzzer target: the lenient base64 decoder of secret payloads. The input
// is decoded as payload text, and also encoded and decoded back, which must
// give the input unchanged.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto decoded = core::base64DecodeLenient(text)) {
        // Every 4 data characters give at most 3 bytes.
        if (decoded->size() > size / 4 * 3 + 3) __builtin_trap();
    }

    const std::string encoded = core::base64Encode(text);
    if (encoded.size() % 4 != 0) __builtin_trap();
    const auto round_trip = core::base64DecodeLenient(encoded);
    if (!round_trip || round_trip->size() != size) __builtin_trap();
    if (size > 0 && std::memcmp(round_trip->data(), data, size) != 0) __builtin_trap();
    return 0;
}
