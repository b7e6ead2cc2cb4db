// libFuzzer target: Content-Type, Accept and OpenStack-API-Version header
// values. The input is one header value, read by every parser that reads
// such a header.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/media_type.h"
#include "core/microversion.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view value(reinterpret_cast<const char*>(data), size);

    if (const auto type = core::parseMediaType(value)) {
        if (type->type.empty() || type->subtype.empty()) __builtin_trap();
    }
    core::isJsonContentType(value);
    core::acceptsJson(value);
    core::isMetadataAccept(value);
    core::isPlainTextUtf8(value);
    if (const auto stored = core::storedPayloadType(value)) {
        if (*stored != "text/plain" && *stored != "application/octet-stream" && *stored != "application/pkcs8")
            __builtin_trap();
    }
    try {
        core::classifyPayloadAccept(value);
        const std::string served = core::payloadServedType(value, "application/pkcs8");
        if (served.empty()) __builtin_trap();
    } catch (const core::Error&) {
    }
    try {
        const core::Microversion version = core::parseMicroversion(value);
        if (version < core::kMinMicroversion || version > core::kMaxMicroversion) __builtin_trap();
    } catch (const core::Error&) {
    }
    return 0;
}
