#pragma once

// Validation of secret, secret payload, order and user-metadata requests of
// the Barbican v1 API. Functions take parsed JSON (see json_body.h) and throw
// core::Error: InvalidInput (400), TooLarge (413) or UnsupportedMediaType (415).

#include "core/timestamp.h"

#include <boost/json.hpp>
#include <cryptopp/secblock.h>

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace core {

struct SecretLimits {
    std::size_t max_secret_bytes = 20000;  // larger payloads are TooLarge
};

inline constexpr std::array<std::string_view, 6> kSecretTypes = {
    "symmetric", "passphrase", "private", "public", "certificate", "opaque"};

inline constexpr std::int64_t kMaxBitLength = 32767;  // upstream Barbican's MySQL SMALLINT limit
inline constexpr std::size_t kMaxFieldLength = 255;

struct SecretPayload {
    CryptoPP::SecByteBlock bytes;  // base64 already decoded
    std::string content_type;      // "text/plain", "application/octet-stream" or "application/pkcs8"
};

// Body of POST /v1/secrets after validation. Strings are already trimmed.
struct NewSecret {
    std::optional<std::string> name;  // "" is kept
    std::string secret_type = "opaque";
    std::optional<std::string> algorithm;
    std::optional<int> bit_length;
    std::optional<std::string> mode;
    std::optional<Timestamp> expiration;  // UTC; none for a blank value
    std::optional<SecretPayload> payload;
    bool transport_key_needed = false;
    // The caller rejects it (400) because no transport key exists here.
    std::optional<std::string> transport_key_id;
};

// Validates a POST /v1/secrets body; errors use the schema name "Secret".
// Field checks come first: types and lengths, JSON null only for name and
// payload_content_type, bit_length an integer in 1..32767. Then expiration
// must be ISO 8601 and later than `now`. The payload rules follow in order:
//   1. payload_content_type without payload;
//   2. supported content type, and an encoding that fits it;
//   3. size over limits.max_secret_bytes (TooLarge), measured on the trimmed
//      UTF-8 text, which for binary payloads is the base64 text;
//   4. empty payload;
//   5. base64 that does not decode (non-ASCII characters included).
NewSecret parseNewSecret(const boost::json::object& body, const SecretLimits& limits, Timestamp now);

// Body of PUT /v1/secrets/{id} after the checks that precede the "already has
// a payload" conflict.
struct PayloadUpload {
    std::string content_type;  // "text/plain" or "application/octet-stream"
    std::optional<std::string> content_encoding;  // as sent, trimmed; octet-stream only
    std::string_view body;     // the caller's request body; must outlive this value
};

// Checks a payload PUT in the API's order. The Content-Type must be
// text/plain or application/octet-stream, parameters ignored, else
// UnsupportedMediaType (also when missing). An empty body is InvalidInput and
// one larger than limits.max_secret_bytes is TooLarge. The caller then checks
// for an existing payload (409) before calling decodePayloadUpload().
PayloadUpload parsePayloadPut(std::optional<std::string_view> content_type,
                              std::optional<std::string_view> content_encoding, std::string_view body,
                              const SecretLimits& limits);

// Bytes to store for an upload. text/plain bodies are stored as sent and the
// Content-Encoding is ignored. octet-stream bodies are stored as sent without
// Content-Encoding, or decoded with base64 (any case); InvalidInput for any
// other encoding and for base64 that does not decode to at least one byte.
CryptoPP::SecByteBlock decodePayloadUpload(const PayloadUpload& upload);

// Body of POST /v1/orders after validation.
struct OrderRequest {
    std::string type;  // "key" or "asymmetric"
    std::optional<std::string> name;
    std::string algorithm;
    int bit_length = 0;  // a multiple of 8
    std::optional<std::string> mode;
    std::optional<Timestamp> expiration;
    // Stored type of the generated secrets, by default application/octet-stream.
    std::string payload_content_type = "application/octet-stream";
    // Passphrase of an asymmetric order, or none when absent or empty. It is
    // not part of `meta`, so order responses never echo it; the caller must
    // keep it elsewhere (encrypted) for the generation job.
    std::optional<std::string> passphrase;
    // Meta to store and return: the request's meta after trimming, with
    // "name" and "expiration" always present (null when not given, the
    // expiration in naive UTC form), bit_length as an integer, and without
    // "passphrase".
    boost::json::object meta;
};

// Validates a POST /v1/orders body. "meta" must be an object and "type" must
// be "key" or "asymmetric" (case-sensitive). The meta passes the secret rules
// under the schema name "Secret' within 'Order", except that
// payload_content_type may come without a payload (it must still be supported
// when non-empty). Then the payload is forbidden, algorithm and bit_length are
// required, bit_length must be a multiple of 8, and the passphrase of an
// asymmetric order must be a string.
OrderRequest parseOrderRequest(const boost::json::object& body, const SecretLimits& limits,
                               Timestamp now);

inline constexpr std::size_t kMaxMetadataKeyLength = 255;
inline constexpr std::size_t kMaxMetadataValueLength = 255;

// Checks a user-metadata key: 1..255 characters from A-Z a-z 0-9 _ -.
// Throws InvalidInput ("Invalid Key. Key must be URL safe." for other
// characters).
void validateMetadataKey(std::string_view key);

// Validates a PUT /v1/secrets/{id}/metadata body {"metadata": {...}}: every
// key passes validateMetadataKey() and every value is a string of at most 255
// characters. Keys are lower-cased; when two keys differ only in case, the
// later one in the body wins.
std::map<std::string, std::string> parseMetadataPut(const boost::json::object& body);

// Validates a single-key body {"key": ..., "value": ...}: both required
// strings of at most 255 characters, no other fields, key URL-safe. Returns
// the lower-cased key and the value.
std::pair<std::string, std::string> parseMetadatum(const boost::json::object& body);

}  // namespace core
