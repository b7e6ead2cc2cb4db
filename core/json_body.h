#pragma once

// JSON request bodies: parsing with size and depth limits, whitespace
// stripping of string values, and typed field readers whose errors follow the
// schema-violation message shape of the Barbican v1 API.

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace core {

// Description of every body that cannot be parsed as JSON.
inline constexpr std::string_view kMalformedJson = "Malformed JSON";

// Maximum nesting of arrays and objects (the Boost.JSON default); the top-level
// object counts as one level.
inline constexpr std::size_t kMaxJsonDepth = 32;

// Parses the first `max_bytes` bytes of `body` as one JSON object, then strips
// leading and trailing whitespace from every string value in the tree (keys
// are kept as sent). A longer body is truncated first, so it normally fails to
// parse, as in upstream Barbican. Duplicate keys keep the last value.
//
// Throws core::Error InvalidInput. The message is kMalformedJson for syntax
// errors, invalid UTF-8 (a byte order mark included), nesting deeper than
// kMaxJsonDepth and numbers beyond the range of a double. A top level that is
// not an object, and U+0000 in a string or key, get their own messages;
// U+0000 is rejected because PostgreSQL text and jsonb columns cannot store it.
boost::json::object parseJsonObject(std::string_view body, std::size_t max_bytes);

// Removes leading and trailing whitespace as Python's str.strip() does: ASCII
// whitespace, U+001C..U+001F and the Unicode White_Space characters.
// `text` must be valid UTF-8.
std::string_view stripWhitespace(std::string_view text);

// Applies stripWhitespace to every string value in `value`, recursively.
void stripStringValues(boost::json::value& value);

// Number of Unicode code points in valid UTF-8 `text`, the unit of the JSON
// Schema `maxLength` keyword.
std::size_t utf8Length(std::string_view text);

// Name of the JSON Schema type of `value`: "string", "integer", "number",
// "boolean", "null", "array" or "object". An integral double is "integer".
std::string_view jsonTypeName(const boost::json::value& value);

// Formats "Provided object does not match schema '<schema>': <reason>.
// Invalid property: '<field>'".
std::string schemaErrorMessage(std::string_view schema, std::string_view reason,
                               std::string_view field);

// Throws core::Error InvalidInput with schemaErrorMessage().
[[noreturn]] void throwSchemaError(std::string_view schema, std::string_view reason,
                                   std::string_view field);

// Whether a field may hold JSON null; null then reads as absent.
enum class JsonNull { Reject, Allow };

// Reads an optional string field of at most `max_len` code points. Absent
// (or null when allowed) gives std::nullopt; a wrong type, null when
// rejected, or a longer string throws a schema error naming `field`.
std::optional<std::string> optionalString(const boost::json::object& object,
                                          std::string_view schema, std::string_view field,
                                          std::size_t max_len,
                                          JsonNull nulls = JsonNull::Reject);

// Like optionalString() but the field must be present and a string.
std::string requiredString(const boost::json::object& object, std::string_view schema,
                           std::string_view field, std::size_t max_len);

// Reads an optional integer field within [min, max]. A number with a zero
// fractional part (256.0, 1e2) counts as an integer, as in JSON Schema and
// upstream's validator. Booleans, strings and fractional numbers are rejected.
std::optional<std::int64_t> optionalInt(const boost::json::object& object,
                                        std::string_view schema, std::string_view field,
                                        std::int64_t min, std::int64_t max,
                                        JsonNull nulls = JsonNull::Reject);

// Reads an optional object field; nullptr when absent. Null is a type error.
const boost::json::object* optionalObject(const boost::json::object& object,
                                          std::string_view schema, std::string_view field);

// Like optionalObject() but the field must be present.
const boost::json::object& requiredObject(const boost::json::object& object,
                                          std::string_view schema, std::string_view field);

}  // namespace core
