#pragma once

// Helpers of the order and job-runner integration tests: creating and
// waiting for orders, reading generated payloads straight from the
// database, and running extra barbican-job-runner processes.

#include <sys/types.h>

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api.h"
#include "tests/support/stack.h"

namespace ordertest {

using testsupport::Headers;
using testsupport::HttpResponse;
using testsupport::TestStack;

TestStack& stack();

HttpResponse postOrder(const Headers& who, const std::string& body);

// POSTs an order and returns its id; fails the test unless 202.
std::string createOrder(const Headers& who, const std::string& body);

// A key order body: aes with `bits` bits.
std::string keyOrderBody(int bits = 256, const std::string& name = "test-key");

// Polls GET /v1/orders/{id} until the status is not PENDING, up to `timeout`.
// Returns the last order JSON seen (still PENDING after a timeout).
boost::json::object waitForOrder(const Headers& who, const std::string& order_id,
                                 std::chrono::seconds timeout = std::chrono::seconds(30));

// Polls the database until no order of `project` is PENDING, up to
// `timeout`; returns whether that happened.
bool waitUntilNoPending(const std::string& project, std::chrono::seconds timeout);

// Counts rows through psql: "SELECT count(*) FROM <from_where>".
long countRows(const std::string& from_where);

// Decrypts a stored secret payload with the stack's master key, the way the
// API does, so payload checks do not depend on the secrets endpoints.
std::string storedPayload(const std::string& secret_id);

// Runs a shell command and returns its standard output, standard error and
// exit status.
struct CommandResult {
    int status = -1;
    std::string out;
    std::string err;
};
CommandResult runJobRunner(const std::vector<std::string>& arguments);

// Options that make a runner react within seconds: sweeps every second,
// orders older than one second swept, leases of `lease_seconds`, and
// `threads` runner threads (one keeps the recovery tests deterministic).
std::vector<std::string> fastRunnerOptions(int lease_seconds = 5, int threads = 1);

// A barbican-job-runner started by a test with the stack's configuration,
// the given runner id and extra options, logging to
// DIR/log/test-runner-<id>.log. The destructor sends SIGTERM, then SIGKILL
// after 30 s.
class RunnerProcess {
public:
    RunnerProcess(const std::string& runner_id, const std::vector<std::string>& options);
    ~RunnerProcess();
    RunnerProcess(const RunnerProcess&) = delete;
    RunnerProcess& operator=(const RunnerProcess&) = delete;

    pid_t pid() const { return pid_; }
    void kill9();
    // SIGTERM, then waits up to `timeout`; returns the exit status, or -1
    // when the process did not exit normally in time.
    int terminate(std::chrono::seconds timeout = std::chrono::seconds(30));
    bool running();
    std::string log() const;

private:
    int waitExit(std::chrono::seconds timeout);

    pid_t pid_ = -1;
    std::string log_path_;
};

// Stops the stack's own job-runner while the object lives, so orders stay
// in the queue for the test's runners; starts it again at the end.
class StackRunnerPaused {
public:
    StackRunnerPaused();
    ~StackRunnerPaused();
    StackRunnerPaused(const StackRunnerPaused&) = delete;
    StackRunnerPaused& operator=(const StackRunnerPaused&) = delete;
};

// Polls `condition` every 100 ms up to `timeout`; returns its last value.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace ordertest
