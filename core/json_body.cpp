#include "core/json_body.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace core {

namespace {

// Whether Python's str.isspace() is true for code point `c`.
bool isPythonWhitespace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

struct DecodedCodePoint {
    char32_t value;
    std::size_t length;  // bytes consumed; 0 when the sequence is invalid
};

// Decodes the UTF-8 sequence starting at text[pos]. Overlong forms are not
// rejected because the result only feeds the whitespace test.
DecodedCodePoint decodeAt(std::string_view text, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    std::size_t length = 0;
    char32_t value = 0;
    if (lead < 0x80) {
        return {lead, 1};
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2;
        value = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        value = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        value = lead & 0x07;
    } else {
        return {0, 0};
    }
    if (pos + length > text.size()) {
        return {0, 0};
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto next = static_cast<unsigned char>(text[pos + i]);
        if ((next & 0xC0) != 0x80) {
            return {0, 0};
        }
        value = (value << 6) | (next & 0x3F);
    }
    return {value, length};
}

bool isContinuationByte(char byte) {
    return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

[[noreturn]] void throwMalformed() {
    throwInvalid(std::string(kMalformedJson));
}

// Rejects what PostgreSQL or a later serializer cannot hold: U+0000 in
// strings and keys, and infinite numbers. Recursion depth is bounded by the
// parser's max_depth.
void sanitizeValue(boost::json::value& value) {
    switch (value.kind()) {
    case boost::json::kind::string: {
        boost::json::string& text = value.get_string();
        if (std::string_view(text).find('\0') != std::string_view::npos) {
            throwInvalid("JSON strings must not contain the NUL character (\\u0000).");
        }
        break;
    }
    case boost::json::kind::double_:
        if (!std::isfinite(value.get_double())) {
            throwMalformed();
        }
        break;
    case boost::json::kind::array:
        for (boost::json::value& item : value.get_array()) {
            sanitizeValue(item);
        }
        break;
    case boost::json::kind::object:
        for (auto& member : value.get_object()) {
            if (member.key().find('\0') != std::string_view::npos) {
                throwInvalid("JSON object keys must not contain the NUL character (\\u0000).");
            }
            sanitizeValue(member.value());
        }
        break;
    default:
        break;
    }
}

std::string typeErrorReason(std::string_view field, std::string_view expected,
                            const boost::json::value& actual) {
    return "'" + std::string(field) + "' must be of type " + std::string(expected) + ", not '" +
           std::string(jsonTypeName(actual)) + "'";
}

}  // namespace

boost::json::object parseJsonObject(std::string_view body, std::size_t max_bytes) {
    const std::string_view text = body.substr(0, std::min(body.size(), max_bytes));

    boost::json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    options.allow_invalid_utf8 = false;
    boost::json::stream_parser parser(boost::json::storage_ptr(), options);

    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (!ec) {
        parser.finish(ec);
    }
    if (ec) {
        throwMalformed();
    }

    boost::json::value root = parser.release();
    if (!root.is_object()) {
        throwInvalid("The request body must be a JSON object, not '" +
                     std::string(jsonTypeName(root)) + "'.");
    }
    sanitizeValue(root);
    stripStringValues(root);
    return std::move(root.get_object());
}

std::string_view stripWhitespace(std::string_view text) {
    std::size_t begin = 0;
    while (begin < text.size()) {
        const DecodedCodePoint decoded = decodeAt(text, begin);
        if (decoded.length == 0 || !isPythonWhitespace(decoded.value)) {
            break;
        }
        begin += decoded.length;
    }

    std::size_t end = text.size();
    while (end > begin) {
        std::size_t start = end - 1;
        while (start > begin && isContinuationByte(text[start]) && end - start < 4) {
            --start;
        }
        const DecodedCodePoint decoded = decodeAt(text, start);
        if (decoded.length != end - start || !isPythonWhitespace(decoded.value)) {
            break;
        }
        end = start;
    }
    return text.substr(begin, end - begin);
}

void stripStringValues(boost::json::value& value) {
    switch (value.kind()) {
    case boost::json::kind::string: {
        boost::json::string& text = value.get_string();
        const std::string_view stripped = stripWhitespace(text);
        if (stripped.size() != text.size()) {
            // Copy first: assigning a view of the string to itself may alias.
            const std::string copy(stripped);
            text = copy;
        }
        break;
    }
    case boost::json::kind::array:
        for (boost::json::value& item : value.get_array()) {
            stripStringValues(item);
        }
        break;
    case boost::json::kind::object:
        for (auto& member : value.get_object()) {
            stripStringValues(member.value());
        }
        break;
    default:
        break;
    }
}

std::size_t utf8Length(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char byte) { return !isContinuationByte(byte); }));
}

std::string_view jsonTypeName(const boost::json::value& value) {
    switch (value.kind()) {
    case boost::json::kind::null:
        return "null";
    case boost::json::kind::bool_:
        return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
        return "integer";
    case boost::json::kind::double_: {
        const double number = value.get_double();
        return std::isfinite(number) && std::trunc(number) == number ? "integer" : "number";
    }
    case boost::json::kind::string:
        return "string";
    case boost::json::kind::array:
        return "array";
    case boost::json::kind::object:
        return "object";
    }
    return "unknown";
}

std::string schemaErrorMessage(std::string_view schema, std::string_view reason,
                               std::string_view field) {
    std::string message = "Provided object does not match schema '";
    message += schema;
    message += "': ";
    message += reason;
    message += ". Invalid property: '";
    message += field;
    message += "'";
    return message;
}

void throwSchemaError(std::string_view schema, std::string_view reason, std::string_view field) {
    throwInvalid(schemaErrorMessage(schema, reason, field));
}

std::optional<std::string> optionalString(const boost::json::object& object,
                                          std::string_view schema, std::string_view field,
                                          std::size_t max_len, JsonNull nulls) {
    const boost::json::value* value = object.if_contains(field);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (value->is_null() && nulls == JsonNull::Allow) {
        return std::nullopt;
    }
    if (!value->is_string()) {
        const std::string_view expected =
            nulls == JsonNull::Allow ? "'string' or 'null'" : "'string'";
        throwSchemaError(schema, typeErrorReason(field, expected, *value), field);
    }
    const std::string_view text = value->get_string();
    if (utf8Length(text) > max_len) {
        throwSchemaError(schema,
                         "'" + std::string(field) + "' is longer than " + std::to_string(max_len) +
                             " characters",
                         field);
    }
    return std::string(text);
}

std::string requiredString(const boost::json::object& object, std::string_view schema,
                           std::string_view field, std::size_t max_len) {
    std::optional<std::string> text = optionalString(object, schema, field, max_len);
    if (!text) {
        throwSchemaError(schema, "'" + std::string(field) + "' is a required property", field);
    }
    return std::move(*text);
}

std::optional<std::int64_t> optionalInt(const boost::json::object& object,
                                        std::string_view schema, std::string_view field,
                                        std::int64_t min, std::int64_t max, JsonNull nulls) {
    const boost::json::value* value = object.if_contains(field);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (value->is_null() && nulls == JsonNull::Allow) {
        return std::nullopt;
    }
    if (jsonTypeName(*value) != "integer") {
        const std::string_view expected =
            nulls == JsonNull::Allow ? "'integer' or 'null'" : "'integer'";
        throwSchemaError(schema, typeErrorReason(field, expected, *value), field);
    }

    const std::string too_small = "'" + std::string(field) + "' must be at least " + std::to_string(min);
    const std::string too_large = "'" + std::string(field) + "' must be at most " + std::to_string(max);
    if (value->is_int64()) {
        const std::int64_t number = value->get_int64();
        if (number < min) {
            throwSchemaError(schema, too_small, field);
        }
        if (number > max) {
            throwSchemaError(schema, too_large, field);
        }
        return number;
    }
    if (value->is_uint64()) {
        const std::uint64_t number = value->get_uint64();
        if (number > static_cast<std::uint64_t>(std::max<std::int64_t>(max, 0))) {
            throwSchemaError(schema, too_large, field);
        }
        return static_cast<std::int64_t>(number);
    }
    // 2^63 is the first double that does not convert to int64.
    const double number = value->get_double();
    if (number < static_cast<double>(min)) {
        throwSchemaError(schema, too_small, field);
    }
    if (number > static_cast<double>(max) || number >= 9223372036854775808.0) {
        throwSchemaError(schema, too_large, field);
    }
    return static_cast<std::int64_t>(number);
}

const boost::json::object* optionalObject(const boost::json::object& object,
                                          std::string_view schema, std::string_view field) {
    const boost::json::value* value = object.if_contains(field);
    if (value == nullptr) {
        return nullptr;
    }
    if (!value->is_object()) {
        throwSchemaError(schema, typeErrorReason(field, "'object'", *value), field);
    }
    return &value->get_object();
}

const boost::json::object& requiredObject(const boost::json::object& object,
                                          std::string_view schema, std::string_view field) {
    const boost::json::object* found = optionalObject(object, schema, field);
    if (found == nullptr) {
        throwSchemaError(schema, "'" + std::string(field) + "' is a required property", field);
    }
    return *found;
}

}  // namespace core
