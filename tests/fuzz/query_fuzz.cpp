// libFuzzer target: query strings of the list endpoints. The input is a raw
// query string without the '?'. It is decoded, and each parameter is read as
// the handlers read it: paging, booleans, date filters and the sort spec.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/query.h"

namespace {

// Whether `text` is valid UTF-8 (NUL allowed), as percentDecode() promises.
bool isUtf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = 1;
        std::uint32_t code = lead;
        if (lead >= 0xF0 && lead <= 0xF4) length = 4, code = lead & 0x07;
        else if (lead >= 0xE0) length = 3, code = lead & 0x0F;
        else if (lead >= 0xC2 && lead <= 0xDF) length = 2, code = lead & 0x1F;
        else if (lead >= 0x80) return false;
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3F);
        }
        if ((length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
            (length == 4 && (code < 0x10000 || code > 0x10FFFF)))
            return false;
        i += length;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    if (!isUtf8(core::percentDecode(raw))) __builtin_trap();
    if (!isUtf8(core::percentDecode(raw, false))) __builtin_trap();

    core::QueryParams params;
    try {
        params = core::parseQuery(raw);
    } catch (const core::Error&) {
        return 0;
    }
    for (const auto& [name, value] : params) {
        if (name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) __builtin_trap();
    }

    const core::Paging paging = core::parsePaging(params, 10, 100);
    if (paging.limit < 1 || paging.limit > 100 || paging.offset < 0) __builtin_trap();
    if (paging.offset > INT64_MAX - paging.limit) __builtin_trap();

    for (const auto& [name, value] : params) {
        core::parseBoolStrict(value);
        core::parsePythonInt(value);
        try {
            core::parseDateFilter(value, name);
        } catch (const core::Error&) {
        }
        try {
            const auto keys = core::parseSortSpec(value);
            std::set<std::string> seen;
            for (const auto& key : keys) {
                if (!seen.insert(key.key).second) __builtin_trap();
            }
        } catch (const core::Error&) {
        }
    }
    return 0;
}
