#pragma once

// Media types (RFC 9110 section 8.3.1) in Content-Type and Accept headers, and
// the secret payload type rules of the Barbican v1 API.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace core {

struct MediaType {
    std::string type;     // lower-cased, e.g. "text"; "*" in Accept ranges
    std::string subtype;  // lower-cased, e.g. "plain"
    // Parameters in order; names lower-cased, values as sent with the quotes
    // of a quoted-string removed.
    std::vector<std::pair<std::string, std::string>> parameters;
};

// Parses "type/subtype *( OWS ; OWS name OWS = OWS value )" where a value is
// a token or a quoted-string. Whitespace around '=' is tolerated. Returns
// std::nullopt when the type, subtype or a parameter name is not a token, or
// a parameter is empty or has no '=' or value (so "text/plain;" is invalid).
std::optional<MediaType> parseMediaType(std::string_view text);

// Whether a request Content-Type is application/json; parameters are ignored
// and an absent or unparsable header is not JSON.
bool isJsonContentType(std::optional<std::string_view> content_type);

// Whether a JSON response satisfies `accept`: true when the header is absent,
// empty, or not a valid list of media ranges (ignored, as WebOb does), or when
// the most specific range matching application/json ("application/json",
// "application/*" or "*/*") has q > 0.
bool acceptsJson(std::optional<std::string_view> accept);

// Whether GET /v1/secrets/{id} returns the metadata: Accept absent, exactly
// "application/json" or exactly "*/*". Any other value (an empty one or a
// list included) requests the payload.
bool isMetadataAccept(std::optional<std::string_view> accept);

// Types a secret payload can be served as.
enum class PayloadAccept {
    StoredType,   // "*/*": the type stored with the payload
    TextPlain,    // "text/plain" and its two "charset=utf-8" spellings
    OctetStream,  // absent or empty Accept, or "application/octet-stream"
    Pkcs8,        // "application/pkcs8"
};

// Classifies the Accept header of a payload read. Values are compared
// exactly (after trimming surrounding whitespace), so case variants, lists
// and q-values throw core::Error NotAcceptable.
PayloadAccept classifyPayloadAccept(std::optional<std::string_view> accept);

// Content type a payload read is served as: classifyPayloadAccept() applied,
// with "*/*" resolved to `stored_type`. Throws NotAcceptable like it.
std::string payloadServedType(std::optional<std::string_view> accept, std::string_view stored_type);

// Whether `content_type` is text/plain with at most one parameter, charset
// set to utf-8: "text/plain", "text/plain;charset=utf-8",
// "text/plain; charset=utf-8", in any case and with spaces around ';' and '='.
bool isPlainTextUtf8(std::string_view content_type);

// Stored type for a secret's payload_content_type: "text/plain" for the
// isPlainTextUtf8() forms, "application/octet-stream" or "application/pkcs8"
// for those types (any case, no parameters). std::nullopt for anything else.
std::optional<std::string> storedPayloadType(std::string_view content_type);

}  // namespace core
