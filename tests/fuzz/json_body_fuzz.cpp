// libFuzzer target: JSON request bodies. The input is a request body, parsed
// as the API parses bodies and then validated by every body rule. Rejections
// must be core::Error, so any other exception, a crash or a sanitizer report
// is a finding.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/acl_rules.h"
#include "core/consumer_rules.h"
#include "core/container_rules.h"
#include "core/error.h"
#include "core/json_body.h"
#include "core/quota_rules.h"
#include "core/secret_rules.h"

namespace {

// Default of api.max_request_bytes (etc/barbican.conf).
constexpr std::size_t kMaxRequestBytes = 25000;

template <typename Rule>
void tryRule(Rule&& rule) {
    try {
        rule();
    } catch (const core::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    boost::json::object object;
    try {
        object = core::parseJsonObject(body, kMaxRequestBytes);
    } catch (const core::Error&) {
        return 0;
    }

    const core::SecretLimits limits;
    // A fixed "now" keeps runs reproducible: 2030-01-01T00:00:00Z.
    const core::Timestamp now{std::chrono::microseconds(1893456000000000LL)};
    tryRule([&] {
        const core::NewSecret secret = core::parseNewSecret(object, limits, now);
        if (secret.name && core::utf8Length(*secret.name) > core::kMaxFieldLength) __builtin_trap();
        if (secret.bit_length && (*secret.bit_length < 1 || *secret.bit_length > core::kMaxBitLength)) __builtin_trap();
        if (secret.payload && secret.payload->bytes.size() > limits.max_secret_bytes) __builtin_trap();
    });
    tryRule([&] {
        const core::OrderRequest order = core::parseOrderRequest(object, limits, now);
        if (order.bit_length % 8 != 0) __builtin_trap();
    });
    tryRule([&] { core::parseMetadataPut(object); });
    tryRule([&] { core::parseMetadatum(object); });
    tryRule([&] { core::parseNewContainer(object, "http://127.0.0.1:9311/v1/secrets/"); });
    tryRule([&] { core::parseContainerSecret(object); });
    tryRule([&] { core::parseContainerConsumer(object); });
    tryRule([&] { core::parseSecretConsumer(object); });
    tryRule([&] { core::parseAclChange(object); });
    tryRule([&] { core::parseProjectQuotasBody(object); });
    return 0;
}
