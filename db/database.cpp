#include "db/database.h"

#include <soci/postgresql/soci-postgresql.h>

#include <sys/socket.h>

#include <cstring>

#include "core/error.h"
#include "core/log.h"
#include "db/statements.h"

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

namespace {

// Extra time a call may take beyond statement_timeout before the watchdog
// cuts the connection: covers network latency and result transfer.
constexpr auto kWatchdogMargin = std::chrono::seconds(2);

long long steadyNanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Adds connect_timeout to a DSN that sets none, so connecting to a server
// that does not respond fails instead of blocking.
std::string withConnectTimeout(std::string dsn) {
    if (dsn.find("connect_timeout") == std::string::npos) dsn += " connect_timeout=3";
    return dsn;
}

}  // namespace

Database::Database(DatabaseSettings settings) : settings_(std::move(settings)) {
    settings_.connect_string = withConnectTimeout(settings_.connect_string);
    watchdog_ = std::thread([this] { watchdogLoop(); });
}

Database::~Database() {
    {
        std::lock_guard<std::mutex> lock(watchdog_mutex_);
        watchdog_stop_ = true;
    }
    watchdog_wakeup_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
    dropSession();
}

void Database::dropSession() {
    if (!session_) return;
    detachStatementCache(*session_);
    session_.reset();
}

void Database::watchdogLoop() {
    std::unique_lock<std::mutex> lock(watchdog_mutex_);
    while (!watchdog_stop_) {
        watchdog_wakeup_.wait_for(lock, std::chrono::milliseconds(100));
        const long long deadline = deadline_ns_.load();
        const int fd = watched_fd_.load();
        if (deadline != 0 && fd >= 0 && steadyNanos() > deadline) {
            // Wakes the blocked libpq call with an error; the session is then
            // dropped and reconnected by the caller's error translation.
            ::shutdown(fd, SHUT_RDWR);
            deadline_ns_ = 0;
            core::log::warning("database_call_timed_out").kv("action", "connection closed");
        }
    }
}

void Database::armWatchdog() {
    if (!session_) return;
    auto* backend = static_cast<soci::postgresql_session_backend*>(session_->get_backend());
    if (backend == nullptr || backend->conn_ == nullptr) return;
    watched_fd_ = PQsocket(backend->conn_);
    const auto budget = std::chrono::seconds(settings_.statement_timeout_seconds) + kWatchdogMargin;
    deadline_ns_ = steadyNanos() + std::chrono::duration_cast<std::chrono::nanoseconds>(budget).count();
}

void Database::disarmWatchdog() {
    deadline_ns_ = 0;
    watched_fd_ = -1;
}

void Database::connect() {
    try {
        auto session = std::make_unique<soci::session>();
        session->open(soci::postgresql, settings_.connect_string);
        *session << "SET statement_timeout = " + std::to_string(settings_.statement_timeout_seconds * 1000);
        *session << "SET lock_timeout = " + std::to_string(settings_.statement_timeout_seconds * 1000);
        *session << "SET idle_in_transaction_session_timeout = 60000";
        *session << "SET TIME ZONE 'UTC'";
        // Statements stay prepared on the session (db/statements.h), and
        // their filters are written so that one generic plan serves every
        // parameter value. Custom plans would plan every run again.
        *session << "SET plan_cache_mode = force_generic_plan";
        session_ = std::move(session);
        attachStatementCache(*session_);
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

void Database::reset() { dropSession(); }

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
            if (broken) dropSession();
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
        soci::session& sql = session();
        armWatchdog();
        work(sql);
        disarmWatchdog();
    } catch (...) {
        disarmWatchdog();
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
