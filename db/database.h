#pragma once

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace db {

struct DatabaseSettings {
    std::string connect_string;  // secret: contains the password, never log it
    std::string redacted;        // for log lines
    int statement_timeout_seconds = 5;
};

// One PostgreSQL session of a process, opened lazily and opened again after
// the connection is lost. Not thread-safe: each worker process or thread owns
// one. Every database failure leaves this object as a core::Error:
// Unavailable when the server cannot be reached or timed out (the session is
// dropped and reconnected on next use), Internal for anything else.
class Database {
public:
    explicit Database(DatabaseSettings settings);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // The live session, connecting first if needed.
    soci::session& session();

    // Runs `work` and translates soci and libpq failures into core::Error.
    // A broken connection is closed so the next call reconnects.
    void run(const std::function<void(soci::session&)>& work);

    // Closes the connection; the next use connects again.
    void reset();
    bool connected() const { return session_ != nullptr; }

    // Executes SELECT 1 and reports whether it succeeded.
    bool ping();

    // Translates the exception in flight (inside a catch block) into a
    // core::Error, closing the session when it is broken. Never returns.
    [[noreturn]] void rethrowTranslated();

private:
    void connect();
    // Drops the session's prepared statements, then the session.
    void dropSession();
    void armWatchdog();
    void disarmWatchdog();
    void watchdogLoop();

    DatabaseSettings settings_;
    // A stopped or unreachable server can leave libpq waiting forever, which
    // statement_timeout cannot help with. A watchdog thread shuts the socket
    // down once a call to run() outlives statement_timeout plus a margin, so
    // the call fails as Unavailable instead of hanging.
    std::atomic<long long> deadline_ns_{0};
    std::atomic<int> watched_fd_{-1};
    std::atomic<bool> watchdog_stop_{false};
    std::mutex watchdog_mutex_;
    std::condition_variable watchdog_wakeup_;
    std::thread watchdog_;
    std::unique_ptr<soci::session> session_;
    std::chrono::steady_clock::time_point last_failure_log_{};
};

// Whether a soci error carries the given SQLSTATE (five characters).
bool hasSqlState(const soci::soci_error& error, const char* sqlstate);

}  // namespace db
