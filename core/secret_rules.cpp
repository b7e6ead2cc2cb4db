#include "core/secret_rules.h"

#include "core/base64.h"
#include "core/error.h"
#include "core/json_body.h"
#include "core/media_type.h"

#include <algorithm>
#include <limits>

namespace core {

namespace {

constexpr std::string_view kSecretSchema = "Secret";
constexpr std::string_view kOrderSchema = "Order";
// Upstream names the meta schema "Secret' within 'Order" inside the quotes.
constexpr std::string_view kOrderMetaSchema = "Secret' within 'Order";
constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

constexpr std::string_view kSupportedPayloadTypes =
    "['text/plain', 'text/plain;charset=utf-8', 'text/plain; charset=utf-8', "
    "'application/octet-stream', 'application/pkcs8']";

std::string quoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

bool isAscii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
}

std::string lowerAscii(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    });
    return out;
}

SecretPayload parsePayload(const boost::json::object& body, std::string_view schema,
                           const SecretLimits& limits) {
    const std::optional<std::string> content_type =
        optionalString(body, schema, "payload_content_type", kMaxFieldLength, JsonNull::Allow);
    const std::optional<std::string> encoding =
        optionalString(body, schema, "payload_content_encoding", kMaxFieldLength);
    const std::string_view payload = body.at("payload").get_string();

    if (!content_type) {
        throwSchemaError(schema,
                         "If 'payload' is supplied, 'payload_content_type' must also be supplied",
                         "payload_content_type");
    }
    const std::optional<std::string> stored_type = storedPayloadType(*content_type);
    if (!stored_type) {
        throwSchemaError(schema, "payload_content_type is not one of " + std::string(kSupportedPayloadTypes),
                         "payload_content_type");
    }
    const bool is_text = *stored_type == "text/plain";
    if (is_text && encoding) {
        throwSchemaError(schema, "payload_content_encoding must be omitted for a text/plain payload",
                         "payload_content_encoding");
    }
    if (!is_text && !encoding) {
        throwSchemaError(schema,
                         "payload_content_encoding must be 'base64' for an " + *stored_type + " payload",
                         "payload_content_encoding");
    }

    if (payload.size() > limits.max_secret_bytes) {
        throw Error(ErrorKind::TooLarge, "The secret payload is larger than the maximum of " +
                                             std::to_string(limits.max_secret_bytes) + " bytes.");
    }
    if (payload.empty()) {
        throwSchemaError(schema, "If 'payload' specified, must be non empty", "payload");
    }

    SecretPayload result;
    result.content_type = *stored_type;
    if (is_text) {
        result.bytes.Assign(reinterpret_cast<const CryptoPP::byte*>(payload.data()), payload.size());
        return result;
    }
    // Python's b64decode rejects a str with non-ASCII characters before decoding.
    std::optional<CryptoPP::SecByteBlock> decoded =
        isAscii(payload) ? base64DecodeLenient(payload) : std::nullopt;
    // NOTE: upstream Barbican accepts base64 text without data characters
    // ("====") and would store an empty payload; it is rejected here.
    if (!decoded || decoded->empty()) {
        throwSchemaError(schema, "Invalid payload for payload_content_encoding", "payload");
    }
    result.bytes = std::move(*decoded);
    return result;
}

// Applies the secret-create rules to `body`; `in_order` selects the order
// meta variant, where payload_content_type may come without a payload.
NewSecret parseSecretFields(const boost::json::object& body, const SecretLimits& limits,
                            Timestamp now, bool in_order) {
    const std::string_view schema = in_order ? kOrderMetaSchema : kSecretSchema;
    NewSecret secret;

    secret.name = optionalString(body, schema, "name", kMaxFieldLength, JsonNull::Allow);
    if (std::optional<std::string> type = optionalString(body, schema, "secret_type", 80)) {
        if (std::find(kSecretTypes.begin(), kSecretTypes.end(), *type) == kSecretTypes.end()) {
            throwSchemaError(schema,
                             quoted(*type) + " is not one of ['symmetric', 'passphrase', 'private', "
                                             "'public', 'certificate', 'opaque']",
                             "secret_type");
        }
        secret.secret_type = std::move(*type);
    }
    secret.algorithm = optionalString(body, schema, "algorithm", kMaxFieldLength);
    if (const std::optional<std::int64_t> bits = optionalInt(body, schema, "bit_length", 1, kMaxBitLength)) {
        secret.bit_length = static_cast<int>(*bits);
    }
    secret.mode = optionalString(body, schema, "mode", kMaxFieldLength);
    const std::optional<std::string> expiration =
        optionalString(body, schema, "expiration", kMaxFieldLength);
    const bool has_payload = body.contains("payload");
    if (has_payload) {
        optionalString(body, schema, "payload", kUnlimited);  // type check only
    }
    const std::optional<std::string> content_type =
        optionalString(body, schema, "payload_content_type", kMaxFieldLength, JsonNull::Allow);
    if (const std::optional<std::string> encoding =
            optionalString(body, schema, "payload_content_encoding", kMaxFieldLength)) {
        if (*encoding != "base64") {
            throwSchemaError(schema, quoted(*encoding) + " is not one of ['base64']",
                             "payload_content_encoding");
        }
    }
    if (const std::optional<std::string> needed =
            optionalString(body, schema, "transport_key_needed", kUnlimited)) {
        if (*needed != "true" && *needed != "false") {
            throwSchemaError(schema, quoted(*needed) + " is not one of ['true', 'false']",
                             "transport_key_needed");
        }
        secret.transport_key_needed = *needed == "true";
    }
    secret.transport_key_id = optionalString(body, schema, "transport_key_id", kUnlimited);

    if (expiration && !expiration->empty()) {
        secret.expiration = parseIso8601(*expiration);
        if (!secret.expiration) {
            throwSchemaError(schema, "Invalid date for 'expiration'", "expiration");
        }
        if (*secret.expiration <= now) {
            throwSchemaError(schema, "'expiration' is before current time", "expiration");
        }
    }

    if (has_payload) {
        secret.payload = parsePayload(body, schema, limits);
    } else if (body.contains("payload_content_type")) {
        if (!in_order) {
            throwSchemaError(schema, "payload must be provided when payload_content_type is specified",
                             "payload");
        }
        if (content_type && !content_type->empty() && !storedPayloadType(*content_type)) {
            throwSchemaError(schema,
                             "payload_content_type is not one of " + std::string(kSupportedPayloadTypes),
                             "payload_content_type");
        }
    }
    return secret;
}

}  // namespace

NewSecret parseNewSecret(const boost::json::object& body, const SecretLimits& limits, Timestamp now) {
    return parseSecretFields(body, limits, now, false);
}

PayloadUpload parsePayloadPut(std::optional<std::string_view> content_type,
                              std::optional<std::string_view> content_encoding, std::string_view body,
                              const SecretLimits& limits) {
    const std::optional<MediaType> media = content_type ? parseMediaType(*content_type) : std::nullopt;
    const bool is_text = media && media->type == "text" && media->subtype == "plain";
    const bool is_binary = media && media->type == "application" && media->subtype == "octet-stream";
    if (!is_text && !is_binary) {
        const std::string shown = content_type ? quoted(*content_type) : "none";
        throw Error(ErrorKind::UnsupportedMediaType,
                    "Content-Type " + shown +
                        " is not supported for a payload PUT; use text/plain or application/octet-stream.");
    }
    if (body.empty()) {
        throwInvalid("No data supplied to process.");
    }
    if (body.size() > limits.max_secret_bytes) {
        throw Error(ErrorKind::TooLarge, "The secret payload is larger than the maximum of " +
                                             std::to_string(limits.max_secret_bytes) + " bytes.");
    }

    PayloadUpload upload;
    upload.content_type = is_text ? "text/plain" : "application/octet-stream";
    if (content_encoding) {
        const std::string_view trimmed = stripWhitespace(*content_encoding);
        if (!trimmed.empty()) {
            upload.content_encoding = std::string(trimmed);
        }
    }
    upload.body = body;
    return upload;
}

CryptoPP::SecByteBlock decodePayloadUpload(const PayloadUpload& upload) {
    const auto* data = reinterpret_cast<const CryptoPP::byte*>(upload.body.data());
    if (upload.content_type == "text/plain" || !upload.content_encoding) {
        return CryptoPP::SecByteBlock(data, upload.body.size());
    }
    if (lowerAscii(*upload.content_encoding) != "base64") {
        throwInvalid("Content-Encoding " + quoted(*upload.content_encoding) +
                     " is not supported; send the payload as is or use base64.");
    }
    std::optional<CryptoPP::SecByteBlock> decoded = base64DecodeLenient(upload.body);
    if (!decoded || decoded->empty()) {
        throwInvalid("The payload is not valid base64.");
    }
    return std::move(*decoded);
}

OrderRequest parseOrderRequest(const boost::json::object& body, const SecretLimits& limits,
                               Timestamp now) {
    const boost::json::object& meta = requiredObject(body, kOrderSchema, "meta");
    OrderRequest order;
    order.type = requiredString(body, kOrderSchema, "type", kUnlimited);
    if (order.type != "key" && order.type != "asymmetric") {
        throwSchemaError(kOrderSchema, quoted(order.type) + " is not one of ['key', 'asymmetric']", "type");
    }
    const std::string type_label = order.type == "key" ? "key" : "asymmetric key";

    const NewSecret fields = parseSecretFields(meta, limits, now, true);
    if (meta.contains("payload")) {
        throwSchemaError(kOrderSchema, "'payload' not allowed for " + order.type + " type order", "meta");
    }
    if (!fields.algorithm || fields.algorithm->empty()) {
        throwSchemaError(kOrderSchema, "'algorithm' is required field for " + type_label + " type order",
                         "meta");
    }
    if (!fields.bit_length) {
        throwSchemaError(kOrderSchema, "'bit_length' is required field for " + type_label + " type order",
                         "meta");
    }
    if (*fields.bit_length % 8 != 0) {
        throwInvalid("Provided field value is not supported: 'bit_length' must be a positive integer "
                     "that is a multiple of 8.");
    }
    if (order.type == "asymmetric") {
        std::optional<std::string> passphrase =
            optionalString(meta, kOrderMetaSchema, "passphrase", kUnlimited);
        if (passphrase && !passphrase->empty()) {
            order.passphrase = std::move(passphrase);
        }
    }

    order.name = fields.name;
    order.algorithm = *fields.algorithm;
    order.bit_length = *fields.bit_length;
    order.mode = fields.mode;
    order.expiration = fields.expiration;
    const std::optional<std::string> content_type =
        optionalString(meta, kOrderMetaSchema, "payload_content_type", kMaxFieldLength, JsonNull::Allow);
    if (content_type && !content_type->empty()) {
        order.payload_content_type = *storedPayloadType(*content_type);
    }

    order.meta = meta;
    order.meta.erase("passphrase");
    order.meta["name"] = fields.name ? boost::json::value(*fields.name) : boost::json::value(nullptr);
    order.meta["expiration"] = fields.expiration ? boost::json::value(formatTimestamp(*fields.expiration))
                                                 : boost::json::value(nullptr);
    order.meta["bit_length"] = static_cast<std::int64_t>(order.bit_length);
    return order;
}

void validateMetadataKey(std::string_view key) {
    if (key.empty()) {
        throwInvalid("Invalid Key. Key must not be empty.");
    }
    if (key.size() > kMaxMetadataKeyLength) {
        throwInvalid("Invalid Key. Key must be at most " + std::to_string(kMaxMetadataKeyLength) +
                     " characters long.");
    }
    const bool url_safe = std::all_of(key.begin(), key.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '_' || ch == '-';
    });
    if (!url_safe) {
        throwInvalid("Invalid Key. Key must be URL safe.");
    }
}

std::map<std::string, std::string> parseMetadataPut(const boost::json::object& body) {
    const boost::json::object& metadata = requiredObject(body, "SecretMetadata", "metadata");
    std::map<std::string, std::string> result;
    for (const auto& member : metadata) {
        validateMetadataKey(member.key());
        if (!member.value().is_string()) {
            throwInvalid("Invalid Metadata. Keys and Values must be Strings.");
        }
        const std::string_view value = member.value().get_string();
        if (utf8Length(value) > kMaxMetadataValueLength) {
            throwInvalid("Invalid Metadata. The value of '" + std::string(member.key()) +
                         "' is longer than " + std::to_string(kMaxMetadataValueLength) + " characters.");
        }
        result.insert_or_assign(lowerAscii(member.key()), std::string(value));
    }
    return result;
}

std::pair<std::string, std::string> parseMetadatum(const boost::json::object& body) {
    constexpr std::string_view kSchema = "SecretMetadatum";
    std::string key = requiredString(body, kSchema, "key", kMaxMetadataKeyLength);
    std::string value = requiredString(body, kSchema, "value", kMaxMetadataValueLength);
    for (const auto& member : body) {
        if (member.key() != "key" && member.key() != "value") {
            throwSchemaError(kSchema,
                             "Additional properties are not allowed (" + quoted(member.key()) +
                                 " was unexpected)",
                             member.key());
        }
    }
    validateMetadataKey(key);
    return {lowerAscii(key), std::move(value)};
}

}  // namespace core
