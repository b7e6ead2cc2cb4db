#include "core/quota_rules.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "core/json_body.h"

namespace core {
namespace {

constexpr std::string_view kSchema = "Project Quota";

// Length in bytes of the well-formed UTF-8 sequence at text[pos] (no
// overlong forms, surrogates or code points above U+10FFFF), or 0.
std::size_t sequenceLength(std::string_view text, std::size_t pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    std::size_t length = 0;
    unsigned char min_second = 0x80, max_second = 0xBF;
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) min_second = 0xA0;
        if (lead == 0xED) max_second = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) min_second = 0x90;
        if (lead == 0xF4) max_second = 0x8F;
    } else {
        return 0;
    }
    if (pos + length > text.size()) return 0;
    if (byte(pos + 1) < min_second || byte(pos + 1) > max_second) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) return 0;
    }
    return length;
}

}  // namespace

bool isStorableProjectId(std::string_view id) {
    if (id.empty()) return false;
    std::size_t code_points = 0;
    for (std::size_t pos = 0; pos < id.size(); ++code_points) {
        if (id[pos] == '\0') return false;
        const std::size_t length = sequenceLength(id, pos);
        if (length == 0) return false;
        pos += length;
    }
    return code_points <= kMaxProjectIdLength;
}

QuotaValues parseProjectQuotasBody(const boost::json::object& body) {
    for (const auto& member : body) {
        if (member.key() != "project_quotas") {
            throwSchemaError(kSchema,
                             "Additional properties are not allowed ('" + std::string(member.key()) + "' was unexpected)",
                             "None");
        }
    }
    const boost::json::object& quotas = requiredObject(body, kSchema, "project_quotas");

    for (const auto& member : quotas) {
        if (std::find(kQuotaKinds.begin(), kQuotaKinds.end(), member.key()) == kQuotaKinds.end()) {
            throwSchemaError(kSchema,
                             "Additional properties are not allowed ('" + std::string(member.key()) + "' was unexpected)",
                             "project_quotas");
        }
    }

    QuotaValues values;
    for (std::size_t i = 0; i < kQuotaKinds.size(); ++i) {
        const std::optional<std::int64_t> value =
            optionalInt(quotas, kSchema, kQuotaKinds[i], std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        if (value) values[i] = static_cast<int>(*value);
    }
    return values;
}

std::array<int, kQuotaKinds.size()> effectiveQuotas(const QuotaValues& configured,
                                                     const std::array<int, kQuotaKinds.size()>& defaults) {
    std::array<int, kQuotaKinds.size()> effective{};
    for (std::size_t i = 0; i < kQuotaKinds.size(); ++i) effective[i] = configured[i].value_or(defaults[i]);
    return effective;
}

}  // namespace core
