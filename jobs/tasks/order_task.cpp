#include "jobs/tasks/order_task.h"

#include <boost/json.hpp>

#include "core/crypto.h"
#include "core/error.h"
#include "core/media_type.h"
#include "jobs/tasks/task_support.h"

namespace jobs {
namespace {

[[noreturn]] void throwBadMeta(const std::string& order_id, const std::string& field) {
    throw core::Error(core::ErrorKind::Internal, "Order failure.",
                      "stored meta of order " + order_id + " has no valid '" + field + "'");
}

std::optional<std::string> optionalMetaString(const boost::json::object& meta, const char* field,
                                              const std::string& order_id) {
    const boost::json::value* value = meta.if_contains(field);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_string()) throwBadMeta(order_id, field);
    return std::string(value->as_string());
}

}  // namespace

std::string lowerAscii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

void requireKnownAlgorithm(const std::string& algorithm_lower) {
    // The algorithm names the reference's secret stores recognise at all;
    // anything else has no generator.
    static const char* const kKnown[] = {"aes",        "des",        "desede",     "hmacsha1", "hmacsha256",
                                         "hmacsha384", "hmacsha512", "diffie_hellman", "dsa",  "rsa",
                                         "ec"};
    for (const char* known : kKnown) {
        if (algorithm_lower == known) return;
    }
    throw OrderFailure(400, kNoGeneratorReason);
}

GeneratedSecret newSecret(const OrderSpec& spec, std::string secret_type, CryptoPP::SecByteBlock bytes) {
    GeneratedSecret secret;
    secret.record.id = core::newUuidV4();
    secret.record.project_id = spec.project_id;
    secret.record.name = spec.name;
    secret.record.secret_type = std::move(secret_type);
    secret.record.algorithm = spec.algorithm;
    secret.record.bit_length = spec.bit_length;
    secret.record.mode = spec.mode;
    secret.record.expiration = spec.expiration;
    secret.record.creator_id = spec.creator_id;
    secret.payload.bytes = std::move(bytes);
    secret.payload.content_type = spec.payload_content_type;
    return secret;
}

OrderSpec orderSpecOf(const db::ClaimedOrder& order) {
    boost::system::error_code ec;
    const boost::json::value parsed = boost::json::parse(order.meta_json, ec);
    if (ec || !parsed.is_object()) throwBadMeta(order.id, "meta");
    const boost::json::object& meta = parsed.as_object();

    OrderSpec spec;
    spec.order_id = order.id;
    spec.project_id = order.project_id;
    spec.creator_id = order.creator_id;
    spec.name = optionalMetaString(meta, "name", order.id);
    spec.mode = optionalMetaString(meta, "mode", order.id);

    const std::optional<std::string> algorithm = optionalMetaString(meta, "algorithm", order.id);
    if (!algorithm || algorithm->empty()) throwBadMeta(order.id, "algorithm");
    spec.algorithm = *algorithm;

    const boost::json::value* bits = meta.if_contains("bit_length");
    if (bits == nullptr || !bits->is_int64() || bits->as_int64() < 1 || bits->as_int64() > core::kMaxBitLength) {
        throwBadMeta(order.id, "bit_length");
    }
    spec.bit_length = static_cast<int>(bits->as_int64());

    if (const std::optional<std::string> expiration = optionalMetaString(meta, "expiration", order.id)) {
        spec.expiration = core::parseIso8601(*expiration);
        if (!spec.expiration) throwBadMeta(order.id, "expiration");
    }
    if (const std::optional<std::string> type = optionalMetaString(meta, "payload_content_type", order.id);
        type && !type->empty()) {
        const std::optional<std::string> stored = core::storedPayloadType(*type);
        if (!stored) throwBadMeta(order.id, "payload_content_type");
        spec.payload_content_type = *stored;
    }
    return spec;
}

}  // namespace jobs
