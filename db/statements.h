#pragma once

#include <soci/soci.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace db {

// Parameters of a statement, all bound as text in the order their
// placeholders appear; std::nullopt binds NULL. SQL casts them where a
// column needs another type (CAST(:id AS uuid)).
using SqlParams = std::vector<std::optional<std::string>>;

// Hot statements run as server-side prepared statements that stay on the
// session: PostgreSQL parses and plans each text once per connection
// instead of once per request, and each run is a single round trip. The
// cache lives only on sessions that db::Database registers, and Database
// drops it before it closes or replaces a session. On any other session the
// same calls run each statement unnamed, parsed and planned every time.

// Runs a statement that returns rows and calls `on_row` for each. The row
// is valid only during the call. Returns the number of rows.
std::size_t queryRows(soci::session& sql, const std::string& text, const SqlParams& params,
                      const std::function<void(const soci::row&)>& on_row);

// Runs a statement that returns at most one row of interest; calls `on_row`
// for the first row, if any, and returns whether there was one.
bool queryOne(soci::session& sql, const std::string& text, const SqlParams& params,
              const std::function<void(const soci::row&)>& on_row);

// Runs a statement without result rows; returns the rows it affected.
long long executeStatement(soci::session& sql, const std::string& text, const SqlParams& params);

// Column `i` of a row read as text (every column is selected as text by
// the statements that use these helpers), or std::nullopt for NULL.
std::optional<std::string> textColumn(const soci::row& row, std::size_t i);

// Adds placeholders and their values while a statement text is assembled.
class ParamList {
public:
    // Adds a parameter and returns its placeholder (:p1, :p2, ...).
    std::string add(std::optional<std::string> value);
    const SqlParams& values() const { return values_; }

private:
    SqlParams values_;
};

// Registry of per-session caches, used by db::Database.
void attachStatementCache(soci::session& sql);
void detachStatementCache(soci::session& sql);

// Statements prepared on a registered session (for tests and logs).
std::size_t cachedStatementCount(soci::session& sql);

}  // namespace db
