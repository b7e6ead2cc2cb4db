#include "core/media_type.h"

#include "core/error.h"

#include <algorithm>

namespace core {

namespace {

bool isTokenChar(char ch) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
        return true;
    }
    constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
    return kSymbols.find(ch) != std::string_view::npos;
}

bool isOws(char ch) {
    return ch == ' ' || ch == '\t';
}

std::string toLower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    });
    return out;
}

std::string_view trimOws(std::string_view text) {
    while (!text.empty() && isOws(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isOws(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool atEnd() const { return pos_ == text_.size(); }
    char peek() const { return atEnd() ? '\0' : text_[pos_]; }
    void skipOws() {
        while (!atEnd() && isOws(text_[pos_])) {
            ++pos_;
        }
    }
    bool consume(char expected) {
        if (peek() != expected) {
            return false;
        }
        ++pos_;
        return true;
    }
    std::string_view token() {
        const std::size_t start = pos_;
        while (!atEnd() && isTokenChar(text_[pos_])) {
            ++pos_;
        }
        return text_.substr(start, pos_ - start);
    }
    // Reads a quoted-string after its opening quote; handles quoted-pairs.
    std::optional<std::string> quotedRest() {
        std::string value;
        while (!atEnd()) {
            const char ch = text_[pos_++];
            if (ch == '"') {
                return value;
            }
            if (ch == '\\') {
                if (atEnd()) {
                    return std::nullopt;
                }
                value += text_[pos_++];
            } else {
                value += ch;
            }
        }
        return std::nullopt;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

// Splits an Accept value at commas outside quoted-strings.
std::vector<std::string_view> splitList(std::string_view text) {
    std::vector<std::string_view> items;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted && ch == '\\') {
            ++i;
        } else if (ch == '"') {
            quoted = !quoted;
        } else if (ch == ',' && !quoted) {
            items.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    items.push_back(text.substr(start));
    return items;
}

// Parses an RFC 9110 qvalue into thousandths: "0", "0.5", "1", "1.000".
std::optional<int> parseQValue(std::string_view text) {
    if (text.empty() || (text[0] != '0' && text[0] != '1')) {
        return std::nullopt;
    }
    const int whole = text[0] - '0';
    if (text.size() == 1) {
        return whole * 1000;
    }
    if (text[1] != '.' || text.size() > 5) {
        return std::nullopt;
    }
    int thousandths = 0;
    int scale = 100;
    for (std::size_t i = 2; i < text.size(); ++i) {
        const char digit = text[i];
        if (digit < '0' || digit > '9' || (whole == 1 && digit != '0')) {
            return std::nullopt;
        }
        thousandths += (digit - '0') * scale;
        scale /= 10;
    }
    return whole * 1000 + thousandths;
}

std::optional<std::string_view> presentValue(std::optional<std::string_view> header) {
    if (!header) {
        return std::nullopt;
    }
    return trimOws(*header);
}

}  // namespace

std::optional<MediaType> parseMediaType(std::string_view text) {
    Cursor in(trimOws(text));
    MediaType result;
    const std::string_view type = in.token();
    if (type.empty() || !in.consume('/')) {
        return std::nullopt;
    }
    const std::string_view subtype = in.token();
    if (subtype.empty()) {
        return std::nullopt;
    }
    result.type = toLower(type);
    result.subtype = toLower(subtype);

    while (true) {
        in.skipOws();
        if (in.atEnd()) {
            return result;
        }
        if (!in.consume(';')) {
            return std::nullopt;
        }
        in.skipOws();
        const std::string_view name = in.token();
        if (name.empty()) {
            return std::nullopt;
        }
        in.skipOws();
        if (!in.consume('=')) {
            return std::nullopt;
        }
        in.skipOws();
        std::string value;
        if (in.consume('"')) {
            std::optional<std::string> quoted = in.quotedRest();
            if (!quoted) {
                return std::nullopt;
            }
            value = std::move(*quoted);
        } else {
            const std::string_view token = in.token();
            if (token.empty()) {
                return std::nullopt;
            }
            value = std::string(token);
        }
        result.parameters.emplace_back(toLower(name), std::move(value));
    }
}

bool isJsonContentType(std::optional<std::string_view> content_type) {
    if (!content_type) {
        return false;
    }
    const std::optional<MediaType> parsed = parseMediaType(*content_type);
    return parsed && parsed->type == "application" && parsed->subtype == "json";
}

bool acceptsJson(std::optional<std::string_view> accept) {
    if (!accept) {
        return true;
    }
    int best_specificity = 0;  // 1 = */*, 2 = application/*, 3 = application/json
    int best_quality = 0;
    bool any_range = false;
    for (const std::string_view item : splitList(*accept)) {
        if (trimOws(item).empty()) {
            continue;  // empty list elements are allowed
        }
        const std::optional<MediaType> range = parseMediaType(item);
        if (!range) {
            return true;  // an invalid header is ignored
        }
        any_range = true;
        int quality = 1000;
        for (const auto& [name, value] : range->parameters) {
            if (name == "q") {
                const std::optional<int> parsed = parseQValue(value);
                if (!parsed) {
                    return true;
                }
                quality = *parsed;
            }
        }
        int specificity = 0;
        if (range->type == "*" && range->subtype == "*") {
            specificity = 1;
        } else if (range->type == "application" && range->subtype == "*") {
            specificity = 2;
        } else if (range->type == "application" && range->subtype == "json") {
            specificity = 3;
        }
        if (specificity > best_specificity) {
            best_specificity = specificity;
            best_quality = quality;
        } else if (specificity != 0 && specificity == best_specificity) {
            best_quality = std::max(best_quality, quality);
        }
    }
    if (!any_range) {
        return true;
    }
    return best_specificity > 0 && best_quality > 0;
}

bool isMetadataAccept(std::optional<std::string_view> accept) {
    const std::optional<std::string_view> value = presentValue(accept);
    return !value || *value == "application/json" || *value == "*/*";
}

PayloadAccept classifyPayloadAccept(std::optional<std::string_view> accept) {
    const std::optional<std::string_view> value = presentValue(accept);
    if (!value || value->empty() || *value == "application/octet-stream") {
        return PayloadAccept::OctetStream;
    }
    if (*value == "*/*") {
        return PayloadAccept::StoredType;
    }
    if (*value == "text/plain" || *value == "text/plain;charset=utf-8" ||
        *value == "text/plain; charset=utf-8") {
        return PayloadAccept::TextPlain;
    }
    if (*value == "application/pkcs8") {
        return PayloadAccept::Pkcs8;
    }
    throw Error(ErrorKind::NotAcceptable,
                "Wrong payload content-type: the secret payload can be served as text/plain, "
                "application/octet-stream, application/pkcs8 or */*, not '" +
                    std::string(*value) + "'.");
}

std::string payloadServedType(std::optional<std::string_view> accept, std::string_view stored_type) {
    switch (classifyPayloadAccept(accept)) {
    case PayloadAccept::StoredType:
        return std::string(stored_type);
    case PayloadAccept::TextPlain:
        return "text/plain";
    case PayloadAccept::Pkcs8:
        return "application/pkcs8";
    case PayloadAccept::OctetStream:
        break;
    }
    return "application/octet-stream";
}

bool isPlainTextUtf8(std::string_view content_type) {
    const std::optional<MediaType> parsed = parseMediaType(content_type);
    if (!parsed || parsed->type != "text" || parsed->subtype != "plain") {
        return false;
    }
    if (parsed->parameters.empty()) {
        return true;
    }
    return parsed->parameters.size() == 1 && parsed->parameters[0].first == "charset" &&
           toLower(parsed->parameters[0].second) == "utf-8";
}

std::optional<std::string> storedPayloadType(std::string_view content_type) {
    if (isPlainTextUtf8(content_type)) {
        return "text/plain";
    }
    const std::optional<MediaType> parsed = parseMediaType(content_type);
    if (!parsed || !parsed->parameters.empty() || parsed->type != "application") {
        return std::nullopt;
    }
    if (parsed->subtype == "octet-stream" || parsed->subtype == "pkcs8") {
        return "application/" + parsed->subtype;
    }
    return std::nullopt;
}

}  // namespace core
