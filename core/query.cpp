#include "core/query.h"

#include "core/error.h"

#include <algorithm>
#include <limits>

namespace core {

namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

int hexValue(char ch) {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

// Replaces each maximal ill-formed UTF-8 subpart with U+FFFD, as Python's
// "replace" error handler does.
std::string replaceInvalidUtf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        if (lead < 0x80) {
            out += static_cast<char>(lead);
            ++i;
            continue;
        }

        // Continuation count and the allowed range of the first continuation
        // byte (which excludes overlong forms, surrogates and > U+10FFFF).
        std::size_t continuations = 0;
        unsigned char first_low = 0x80;
        unsigned char first_high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            continuations = 1;
        } else if (lead == 0xE0) {
            continuations = 2;
            first_low = 0xA0;
        } else if (lead == 0xED) {
            continuations = 2;
            first_high = 0x9F;
        } else if (lead >= 0xE1 && lead <= 0xEF) {
            continuations = 2;
        } else if (lead == 0xF0) {
            continuations = 3;
            first_low = 0x90;
        } else if (lead >= 0xF1 && lead <= 0xF3) {
            continuations = 3;
        } else if (lead == 0xF4) {
            continuations = 3;
            first_high = 0x8F;
        } else {
            out += kReplacementCharacter;
            ++i;
            continue;
        }

        std::size_t valid = 1;  // bytes of the sequence checked so far
        while (valid <= continuations && i + valid < bytes.size()) {
            const auto next = static_cast<unsigned char>(bytes[i + valid]);
            const unsigned char low = valid == 1 ? first_low : 0x80;
            const unsigned char high = valid == 1 ? first_high : 0xBF;
            if (next < low || next > high) {
                break;
            }
            ++valid;
        }
        if (valid == continuations + 1) {
            out.append(bytes.substr(i, valid));
        } else {
            out += kReplacementCharacter;
        }
        i += valid;
    }
    return out;
}

bool isAsciiSpace(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

std::string_view trimAscii(std::string_view text) {
    while (!text.empty() && isAsciiSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isAsciiSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

std::vector<std::string_view> splitAt(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t found = text.find(separator, start);
        if (found == std::string_view::npos) {
            parts.push_back(text.substr(start));
            return parts;
        }
        parts.push_back(text.substr(start, found - start));
        start = found + 1;
    }
}

[[noreturn]] void throwBadDateFilter(std::string_view parameter, std::string_view reason) {
    throwInvalid("Invalid '" + std::string(parameter) + "' query parameter: " + std::string(reason) +
                 ".");
}

Timestamp parseFilterTime(std::string_view text, std::string_view parameter) {
    const std::optional<Timestamp> parsed = parseIso8601(text);
    if (!parsed) {
        throwBadDateFilter(parameter, "'" + std::string(text) + "' is not an ISO 8601 timestamp");
    }
    return *parsed;
}

[[noreturn]] void throwBadSort(std::string_view reason) {
    throwInvalid("Invalid 'sort' query parameter: " + std::string(reason) + ".");
}

}  // namespace

std::string percentDecode(std::string_view text, bool plus_as_space) {
    std::string bytes;
    bytes.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (ch == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
            hexValue(text[i + 2]) >= 0) {
            bytes += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
            i += 2;
        } else if (ch == '+' && plus_as_space) {
            bytes += ' ';
        } else {
            bytes += ch;
        }
    }
    return replaceInvalidUtf8(bytes);
}

QueryParams parseQuery(std::string_view raw) {
    QueryParams params;
    for (const std::string_view segment : splitAt(raw, '&')) {
        if (segment.empty()) {
            continue;
        }
        const std::size_t equals = segment.find('=');
        std::string name = percentDecode(segment.substr(0, equals));
        std::string value =
            equals == std::string_view::npos ? std::string() : percentDecode(segment.substr(equals + 1));
        if (name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
            throwInvalid("Invalid query string: parameter names and values must not contain NUL (%00).");
        }
        params.emplace_back(std::move(name), std::move(value));
    }
    return params;
}

std::optional<std::string_view> queryValue(const QueryParams& params, std::string_view name) {
    for (auto it = params.rbegin(); it != params.rend(); ++it) {
        if (it->first == name) {
            return std::string_view(it->second);
        }
    }
    return std::nullopt;
}

std::optional<std::int64_t> parsePythonInt(std::string_view text) {
    text = trimAscii(text);
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return std::nullopt;
    }

    // Accumulate the magnitude as a negative number so INT64_MIN fits.
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    std::int64_t accumulated = 0;
    bool saturated = false;
    bool previous_was_digit = false;
    for (const char ch : text) {
        if (ch == '_') {
            if (!previous_was_digit) {
                return std::nullopt;
            }
            previous_was_digit = false;
            continue;
        }
        if (ch < '0' || ch > '9') {
            return std::nullopt;
        }
        previous_was_digit = true;
        const int digit = ch - '0';
        if (!saturated && accumulated < (kMin + digit) / 10) {
            saturated = true;
        }
        if (!saturated) {
            accumulated = accumulated * 10 - digit;
        }
    }
    if (!previous_was_digit) {
        return std::nullopt;  // trailing '_'
    }

    if (negative) {
        return saturated ? kMin : accumulated;
    }
    if (saturated || accumulated == kMin) {
        return std::numeric_limits<std::int64_t>::max();
    }
    return -accumulated;
}

Paging parsePaging(const QueryParams& params, std::int64_t default_limit, std::int64_t max_limit) {
    Paging paging;

    paging.limit = default_limit;
    const std::optional<std::string_view> limit_text = queryValue(params, "limit");
    if (limit_text && !limit_text->empty()) {
        if (const std::optional<std::int64_t> limit = parsePythonInt(*limit_text)) {
            paging.limit = std::clamp<std::int64_t>(*limit, 1, std::max<std::int64_t>(max_limit, 1));
        }
    }

    const std::optional<std::string_view> offset_text = queryValue(params, "offset");
    if (offset_text) {
        const std::optional<std::int64_t> offset = parsePythonInt(*offset_text);
        if (offset && *offset >= 0 &&
            *offset <= std::numeric_limits<std::int64_t>::max() - paging.limit) {
            paging.offset = *offset;
        }
    }
    return paging;
}

std::optional<bool> parseBoolStrict(std::string_view text) {
    std::string lowered(trimAscii(text));
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    });
    constexpr std::array<std::string_view, 6> kTrue = {"1", "t", "true", "on", "y", "yes"};
    constexpr std::array<std::string_view, 6> kFalse = {"0", "f", "false", "off", "n", "no"};
    if (std::find(kTrue.begin(), kTrue.end(), lowered) != kTrue.end()) {
        return true;
    }
    if (std::find(kFalse.begin(), kFalse.end(), lowered) != kFalse.end()) {
        return false;
    }
    return std::nullopt;
}

DateFilter parseDateFilter(std::string_view value, std::string_view parameter) {
    DateFilter filter;
    if (value.empty()) {
        return filter;
    }
    for (const std::string_view term : splitAt(value, ',')) {
        if (term.starts_with("gt:")) {
            if (filter.gt || filter.gte) {
                throwBadDateFilter(parameter, "more than one lower bound (gt, gte)");
            }
            filter.gt = parseFilterTime(term.substr(3), parameter);
        } else if (term.starts_with("gte:")) {
            if (filter.gt || filter.gte) {
                throwBadDateFilter(parameter, "more than one lower bound (gt, gte)");
            }
            if (filter.eq) {
                throwBadDateFilter(parameter, "an exact timestamp cannot be combined with gte or lte");
            }
            filter.gte = parseFilterTime(term.substr(4), parameter);
        } else if (term.starts_with("lt:")) {
            if (filter.lt || filter.lte) {
                throwBadDateFilter(parameter, "more than one upper bound (lt, lte)");
            }
            filter.lt = parseFilterTime(term.substr(3), parameter);
        } else if (term.starts_with("lte:")) {
            if (filter.lt || filter.lte) {
                throwBadDateFilter(parameter, "more than one upper bound (lt, lte)");
            }
            if (filter.eq) {
                throwBadDateFilter(parameter, "an exact timestamp cannot be combined with gte or lte");
            }
            filter.lte = parseFilterTime(term.substr(4), parameter);
        } else {
            if (filter.eq) {
                throwBadDateFilter(parameter, "more than one exact timestamp");
            }
            if (filter.gte || filter.lte) {
                throwBadDateFilter(parameter, "an exact timestamp cannot be combined with gte or lte");
            }
            filter.eq = parseFilterTime(term, parameter);
        }
    }
    return filter;
}

std::vector<SortKey> parseSortSpec(std::string_view value) {
    std::vector<SortKey> keys;
    if (value.empty()) {
        return keys;
    }
    for (const std::string_view term : splitAt(value, ',')) {
        const std::vector<std::string_view> parts = splitAt(term, ':');
        if (parts.size() > 2) {
            throwBadSort("'" + std::string(term) + "' has more than one ':'");
        }
        const std::string_view key = parts[0];
        const std::string_view direction = parts.size() == 2 ? parts[1] : "asc";

        if (std::find(kSecretSortKeys.begin(), kSecretSortKeys.end(), key) == kSecretSortKeys.end()) {
            throwBadSort("unknown sort key '" + std::string(key) +
                         "'; use created, updated, expiration, name, mode, algorithm, bit_length, "
                         "secret_type or status");
        }
        if (direction != "asc" && direction != "desc") {
            throwBadSort("unknown sort direction '" + std::string(direction) + "'; use asc or desc");
        }
        const bool repeated = std::any_of(keys.begin(), keys.end(),
                                          [&](const SortKey& existing) { return existing.key == key; });
        if (repeated) {
            throwBadSort("sort key '" + std::string(key) + "' is given more than once");
        }
        keys.push_back(SortKey{std::string(key), direction == "desc"});
    }
    return keys;
}

}  // namespace core
