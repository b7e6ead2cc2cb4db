#include "db/database.h"

#include <soci/postgresql/soci-postgresql.h>

#include <cstring>

#include "core/error.h"
#include "core/log.h"

namespace db {
namespace {

// SQLSTATE classes that mean the server is gone, restarting or overloaded:
// 08 connection exception, 57P0x shutdown, 53 insufficient resources,
// 57014 query canceled (our statement_timeout).
bool isUnavailableState(const std::string& state) {
    return state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state.rfind("53", 0) == 0 ||
           state == "57014" || state == "40001" || state == "40P01" || state == "55P03";
}

std::string sqlStateOf(const soci::soci_error& error) {
    if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&error)) return pg->sqlstate();
    return {};
}

}  // namespace

bool hasSqlState(const soci::soci_error& error, const char* sqlstate) { return sqlStateOf(error) == sqlstate; }

Database::Database(DatabaseSettings settings) : settings_(std::move(settings)) {}

Database::~Database() = default;

void Database::connect() {
    try {
        auto session = std::make_unique<soci::session>();
        session->open(soci::postgresql, settings_.connect_string);
        *session << "SET statement_timeout = " + std::to_string(settings_.statement_timeout_seconds * 1000);
        *session << "SET lock_timeout = " + std::to_string(settings_.statement_timeout_seconds * 1000);
        *session << "SET idle_in_transaction_session_timeout = 60000";
        *session << "SET TIME ZONE 'UTC'";
        session_ = std::move(session);
        core::log::info("database_connected").kv("dsn", settings_.redacted);
    } catch (const std::exception& e) {
        session_.reset();
        const auto now = std::chrono::steady_clock::now();
        // One line per second at most while the database is down.
        if (now - last_failure_log_ > std::chrono::seconds(1)) {
            last_failure_log_ = now;
            core::log::error("database_connect_failed").kv("dsn", settings_.redacted).kv("error", e.what());
        }
        throw core::Error(core::ErrorKind::Unavailable, "The database is unavailable, try again later.");
    }
}

soci::session& Database::session() {
    if (!session_) connect();
    return *session_;
}

void Database::reset() { session_.reset(); }

void Database::rethrowTranslated() {
    try {
        throw;
    } catch (const core::Error&) {
        throw;
    } catch (const soci::soci_error& e) {
        const std::string state = sqlStateOf(e);
        bool broken = session_ == nullptr;
        if (!broken) {
            auto* backend = static_cast<soci::postgresql_session_backend*>(session_->get_backend());
            broken = backend == nullptr || backend->conn_ == nullptr || PQstatus(backend->conn_) != CONNECTION_OK;
        }
        if (broken || isUnavailableState(state)) {
            core::log::warning("database_unavailable").kv("sqlstate", state).kv("error", e.get_error_message());
            if (broken) session_.reset();
            throw core::Error(core::ErrorKind::Unavailable, "The database is unavailable, try again later.");
        }
        throw core::Error(core::ErrorKind::Internal, "Database failure.",
                          "sqlstate=" + state + " " + e.get_error_message());
    } catch (const std::exception& e) {
        throw core::Error(core::ErrorKind::Internal, "Database failure.", e.what());
    }
}

void Database::run(const std::function<void(soci::session&)>& work) {
    try {
        work(session());
    } catch (...) {
        rethrowTranslated();
    }
}

bool Database::ping() {
    try {
        int one = 0;
        run([&](soci::session& sql) { sql << "SELECT 1", soci::into(one); });
        return one == 1;
    } catch (const core::Error&) {
        return false;
    }
}

}  // namespace db
