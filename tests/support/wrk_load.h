#pragma once

// Load through nginx with wrk and tests/faults/load.lua, run in the
// background while a test applies a fault to the stack.

#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/stack.h"

namespace testsupport {

struct WrkLoadOptions {
    std::string project;  // X-Project-Id (and X-Roles: admin) of every request
    // Secrets created before the load, as (id, payload) pairs, that the load
    // reads back. Payloads must be printable ASCII without spaces.
    std::vector<std::pair<std::string, std::string>> reads;
    int read_percent = 40;   // share of reads, 0-100
    int order_percent = 0;   // share of key order POSTs, 0-100; the rest POST secrets
    int seconds = 8;         // wrk -d
    int connections = 4;     // wrk -t and -c: one connection per wrk thread
    int timeout_seconds = 20;  // wrk --timeout; slower responses count as socket timeouts
};

// What load.lua recorded, parsed from its result file. Request kinds are
// "read", "secret" and "order".
struct WrkLoadResult {
    std::map<std::string, std::map<int, long>> statuses;  // kind -> HTTP status -> responses
    std::vector<std::pair<std::string, std::string>> secrets;  // (id, payload base64) of each 201
    std::vector<std::string> orders;                           // id of each 202
    std::map<std::string, long> lost;        // kind -> requests whose connection failed
    std::map<std::string, long> unanswered;  // kind -> requests in flight when wrk stopped
    long read_mismatches = 0;   // reads that returned 200 with other bytes
    long missing_refs = 0;      // 201/202 responses without an href
    long bad_error_bodies = 0;  // 5xx responses without a JSON body
    std::map<std::string, long> socket_errors;  // connect, read, write, timeout
    // Wall-clock times (ms since the epoch) of the first and last failure:
    // a lost request or a status other than the kind's success. 0 when none.
    long long first_failure_ms = 0;
    long long last_failure_ms = 0;
    long latency_max_us = 0;
    long requests = 0;
    std::string wrk_output;  // wrk's standard output and error

    // Responses of `kind` with `status`; an empty kind sums every kind.
    long count(const std::string& kind, int status) const;
    // Responses of `kind` whose status is not in `allowed`.
    long countOther(const std::string& kind, const std::vector<int>& allowed) const;
    // Responses of `kind` with a status from `low` to `high`, inclusive.
    long countRange(const std::string& kind, int low, int high) const;
    long lostOf(const std::string& kind) const;
    long unansweredOf(const std::string& kind) const;
    long socketErrorsOf(const std::string& name) const;
    long socketErrors() const;
    // One line with every count, for test output. Holds no payloads.
    std::string summary() const;
};

// Parses the result file that load.lua's done() writes.
WrkLoadResult parseWrkResults(const std::string& text);

// wrk running tests/faults/load.lua against the stack's nginx, started by
// the constructor on a background thread. wrk stops by itself after
// options.seconds; the destructor waits for it.
class WrkLoad {
public:
    WrkLoad(const TestStack& stack, WrkLoadOptions options);
    ~WrkLoad();
    WrkLoad(const WrkLoad&) = delete;
    WrkLoad& operator=(const WrkLoad&) = delete;

    // Waits for wrk to exit and returns the parsed results. Throws
    // core::Error when wrk failed or wrote no result file.
    WrkLoadResult wait();

private:
    std::string result_path_;
    std::string output_path_;
    int status_ = -1;
    std::thread runner_;
};

}  // namespace testsupport
