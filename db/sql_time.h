#pragma once

#include <string>
#include <string_view>

namespace db {

// SQL expression that renders a timestamp column as
// "YYYY-MM-DDTHH:MM:SS.ffffff" text, e.g. sqlTimestamp("s.created_at").
std::string sqlTimestamp(std::string_view column);

// Turns the text of sqlTimestamp into the API form: the fraction is dropped
// when it is zero, as Python's isoformat() does.
std::string apiTimestamp(std::string text);

}  // namespace db
