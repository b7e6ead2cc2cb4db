#pragma once

// The OpenStack-API-Version request header of the key-manager service.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace core {

struct Microversion {
    int major = 1;
    int minor = 0;

    // "<major>.<minor>", e.g. "1.1".
    std::string toString() const;

    friend auto operator<=>(const Microversion&, const Microversion&) = default;
};

inline constexpr Microversion kMinMicroversion{1, 0};
inline constexpr Microversion kMaxMicroversion{1, 2};

// Service name matched (case-insensitively) in the header.
inline constexpr std::string_view kMicroversionService = "key-manager";

// Reads the version requested by an OpenStack-API-Version header value, with
// the rules of the microversion_parse package that upstream Barbican uses:
// - the value is a comma-separated list of "<service> <version>" entries,
//   read from the last; the first entry naming key-manager wins and entries
//   for other services (or without a version) are ignored;
// - an absent header, or one without a key-manager entry, means 1.0;
// - "latest" (lower case only) means kMaxMicroversion;
// - otherwise the version is "<int>.<int>", each part read like Python's
//   int() (surrounding spaces, a sign and '_' between digits are accepted,
//   so "01.01" is 1.1).
// Throws core::Error InvalidInput when the version does not parse and
// NotAcceptable when it is not one of 1.0, 1.1, 1.2.
Microversion parseMicroversion(std::optional<std::string_view> header);

}  // namespace core
