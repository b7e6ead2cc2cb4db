// Prepared statements kept per session (db/statements.h), against the test
// stack's PostgreSQL.
#include <catch2/catch.hpp>

#include <string>

#include <soci/postgresql/soci-postgresql.h>

#include "core/error.h"
#include "db/database.h"
#include "db/statements.h"
#include "tests/support/stack.h"

namespace {

using testsupport::TestStack;

db::DatabaseSettings stackDatabase() {
    db::DatabaseSettings settings;
    settings.connect_string = "host=" + TestStack::get().dir() + "/pg/socket dbname=barbican user=barbican";
    settings.redacted = "test stack";
    return settings;
}

long long serverPrepared(soci::session& sql) {
    long long count = -1;
    sql << "SELECT count(*) FROM pg_prepared_statements", soci::into(count);
    return count;
}

std::string echo(db::Database& database, const db::SqlParams& params) {
    std::string result;
    database.run([&](soci::session& sql) {
        db::queryOne(sql, "SELECT coalesce(:p1, 'null') || '|' || coalesce(:p2, 'null')", params,
                     [&](const soci::row& row) { result = row.get<std::string>(0); });
    });
    return result;
}

}  // namespace

TEST_CASE("prepared statement is reused across runs", "[db][statements]") {
    db::Database database(stackDatabase());
    CHECK(echo(database, {"a", "b"}) == "a|b");
    CHECK(echo(database, {std::nullopt, "c"}) == "null|c");
    CHECK(echo(database, {"d", std::nullopt}) == "d|null");
    database.run([&](soci::session& sql) {
        CHECK(db::cachedStatementCount(sql) == 1);
        CHECK(serverPrepared(sql) == 1);
    });
}

TEST_CASE("statement rows and affected counts", "[db][statements]") {
    db::Database database(stackDatabase());
    database.run([&](soci::session& sql) {
        std::vector<std::string> seen;
        const std::size_t rows = db::queryRows(
            sql, "SELECT g::text FROM generate_series(1, CAST(:p1 AS integer)) g", {"3"},
            [&](const soci::row& row) { seen.push_back(row.get<std::string>(0)); });
        CHECK(rows == 3);
        CHECK(seen == std::vector<std::string>{"1", "2", "3"});
        CHECK_FALSE(db::queryOne(sql, "SELECT 1 WHERE false AND :p1 = 'x'", {"x"}, [](const soci::row&) {}));

        sql << "CREATE TEMPORARY TABLE statements_probe (v text)";
        CHECK(db::executeStatement(sql, "INSERT INTO statements_probe SELECT :p1 FROM generate_series(1, 4)", {"v"}) ==
              4);
        CHECK(db::executeStatement(sql, "UPDATE statements_probe SET v = :p1 WHERE v = :p2", {"w", "v"}) == 4);
        CHECK(db::executeStatement(sql, "UPDATE statements_probe SET v = :p1 WHERE v = :p2", {"w", "v"}) == 0);
    });
}

TEST_CASE("failed run leaves the statement usable", "[db][statements]") {
    db::Database database(stackDatabase());
    auto cast = [&](const std::string& text) {
        long long value = 0;
        database.run([&](soci::session& sql) {
            db::queryOne(sql, "SELECT CAST(:p1 AS bigint)::text", {text},
                         [&](const soci::row& row) { value = std::stoll(row.get<std::string>(0)); });
        });
        return value;
    };
    CHECK(cast("41") == 41);
    CHECK_THROWS_AS(cast("not a number"), core::Error);
    CHECK(cast("42") == 42);
    database.run([&](soci::session& sql) {
        CHECK(db::cachedStatementCount(sql) == 1);
        // The failed statement was deallocated; the next run prepared anew.
        CHECK(serverPrepared(sql) == 1);
    });
    // Inside a transaction that the failure aborted.
    database.run([&](soci::session& sql) {
        sql.begin();
        CHECK_THROWS(db::queryOne(sql, "SELECT CAST(:p1 AS bigint)::text", {"still not a number"},
                                  [](const soci::row&) {}));
        sql.rollback();
    });
    CHECK(cast("43") == 43);
    database.run([&](soci::session& sql) { CHECK(serverPrepared(sql) == 1); });
}

TEST_CASE("reset drops the statements with the session", "[db][statements]") {
    db::Database database(stackDatabase());
    CHECK(echo(database, {"a", "b"}) == "a|b");
    database.reset();
    database.run([&](soci::session& sql) {
        CHECK(db::cachedStatementCount(sql) == 0);
        CHECK(serverPrepared(sql) == 0);
    });
    CHECK(echo(database, {"c", "d"}) == "c|d");
}

TEST_CASE("unregistered session prepares nothing", "[db][statements]") {
    soci::session sql(soci::postgresql,
                      "host=" + TestStack::get().dir() + "/pg/socket dbname=barbican user=barbican");
    for (int i = 0; i < 3; ++i) {
        std::string value;
        CHECK(db::queryOne(sql, "SELECT :p1 || 'x'", {std::to_string(i)},
                           [&](const soci::row& row) { value = row.get<std::string>(0); }));
        CHECK(value == std::to_string(i) + "x");
    }
    CHECK(db::cachedStatementCount(sql) == 0);
    CHECK(serverPrepared(sql) == 0);
}
