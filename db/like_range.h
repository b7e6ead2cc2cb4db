#pragma once

#include <optional>
#include <string>

namespace db {

// Bounds, in code point order (PostgreSQL's "C" collation on UTF-8), of
// every string that a LIKE pattern without escape character can match.
struct LikeRange {
    std::string lower;  // the literal prefix: matches are >= lower
    std::string upper;  // matches are < upper
};

// The range of the literal prefix before the first '%' or '_' of
// `pattern`, or std::nullopt when that prefix is empty, is not valid UTF-8,
// or has no upper bound (only U+10FFFF code points).
std::optional<LikeRange> likePrefixRange(const std::string& pattern);

}  // namespace db
