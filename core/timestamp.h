#pragma once

// UTC timestamps with microsecond precision, in the forms the Barbican v1 API
// reads and writes.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace core {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Parses an ISO 8601 date or date-time and converts it to UTC. Accepted
// (the grammar of the Python iso8601 package that upstream Barbican uses):
//   YYYY | YYYY-MM | YYYY-MM-DD | YYYYMMDD (month and day may have one digit
//   after a '-'), optionally followed by 'T' or ' ' and hh, hh:mm, hhmm,
//   hh:mm:ss, hhmmss, with a fraction after '.' or ',' (digits beyond
//   microseconds are truncated), then 'Z', ±hh, ±hh:mm or ±hhmm.
// No zone means UTC. Returns std::nullopt for anything else, an impossible
// date or time (second 60 included), an offset of 24 h or more, or a UTC
// result outside years 1..9999.
std::optional<Timestamp> parseIso8601(std::string_view text);

// Formats as Python's isoformat() of a naive UTC datetime:
// "YYYY-MM-DDTHH:MM:SS", plus ".ffffff" only when microseconds are non-zero.
std::string formatTimestamp(Timestamp timestamp);

// Formats as "YYYY-MM-DD HH:MM:SS.ffffff", always with six fraction digits,
// for SQL timestamp parameters.
std::string formatSqlTimestamp(Timestamp timestamp);

// Current time, truncated to microseconds.
Timestamp nowUtc();

}  // namespace core
