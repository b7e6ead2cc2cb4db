#pragma once

// URL query strings: decoding, and the paging, boolean, date-filter and sort
// parameters of the Barbican v1 list endpoints.

#include "core/timestamp.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace core {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes (and '+' as a space when `plus_as_space`) like Python's
// urllib.parse.unquote_plus: a '%' not followed by two hex digits is kept
// literally, and byte sequences that are not valid UTF-8 become U+FFFD. The
// result may contain NUL bytes from "%00".
std::string percentDecode(std::string_view text, bool plus_as_space = true);

// Splits a raw query string at '&' into decoded name/value pairs in order.
// Empty segments are skipped; a segment without '=' has an empty value.
// Throws core::Error InvalidInput when a decoded name or value contains NUL,
// which no database text column can store.
QueryParams parseQuery(std::string_view raw);

// Value of the last occurrence of `name`, or std::nullopt.
std::optional<std::string_view> queryValue(const QueryParams& params, std::string_view name);

// Reads an integer the way Python's int(str) does: ASCII whitespace around
// it, an optional sign, decimal digits with single '_' between digits.
// Values beyond int64 saturate to its minimum or maximum. std::nullopt when
// the text is not such an integer.
std::optional<std::int64_t> parsePythonInt(std::string_view text);

struct Paging {
    std::int64_t offset = 0;
    std::int64_t limit = 10;
};

// Reads `offset` and `limit`: an absent, empty or non-integer limit is
// `default_limit`; a limit below 1 is 1 and above `max_limit` is `max_limit`.
// An absent, non-integer or negative offset is 0, and so is an offset so
// large that offset + limit would exceed int64 (upstream Barbican resets
// offsets beyond sys.maxsize to 0).
Paging parsePaging(const QueryParams& params, std::int64_t default_limit, std::int64_t max_limit);

// Reads a boolean like oslo's bool_from_string(strict=True): true, yes, on,
// 1, t, y and false, no, off, 0, f, n, in any case, with surrounding ASCII
// whitespace ignored. std::nullopt for anything else.
std::optional<bool> parseBoolStrict(std::string_view text);

// Bounds of a date filter; every bound present must hold.
struct DateFilter {
    std::optional<Timestamp> gt;
    std::optional<Timestamp> gte;
    std::optional<Timestamp> lt;
    std::optional<Timestamp> lte;
    std::optional<Timestamp> eq;

    bool empty() const { return !gt && !gte && !lt && !lte && !eq; }
};

// Parses a date filter value: comma-separated terms "gt:T", "gte:T", "lt:T",
// "lte:T" or a bare "T" (equals), T as accepted by parseIso8601(). An empty
// value gives an empty filter. Throws core::Error InvalidInput naming
// `parameter` when a timestamp does not parse, for two lower bounds (gt or
// gte), two upper bounds (lt or lte), two exact timestamps, or an exact
// timestamp together with gte or lte.
DateFilter parseDateFilter(std::string_view value, std::string_view parameter);

// Keys the secrets list can be sorted by.
inline constexpr std::array<std::string_view, 9> kSecretSortKeys = {
    "created", "updated", "expiration", "name", "mode", "algorithm", "bit_length", "secret_type",
    "status"};

struct SortKey {
    std::string key;
    bool descending = false;

    friend bool operator==(const SortKey&, const SortKey&) = default;
};

// Parses a sort value: comma-separated "key" or "key:asc|desc" (ascending by
// default), case-sensitive, keys from kSecretSortKeys. An empty value gives no
// keys. Throws core::Error InvalidInput for an unknown key or direction, a key
// given twice, an empty term, or a term with two colons.
std::vector<SortKey> parseSortSpec(std::string_view value);

}  // namespace core
