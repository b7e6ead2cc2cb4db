#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/config.h"
#include "db/database.h"
#include "db/project_keys.h"

namespace jobs {

// Result of one attempt to process an order.
enum class OrderOutcome {
    Active,    // generated and stored; the order is ACTIVE
    Errored,   // the order is ERROR (unsupported request, or repeated unexpected failures)
    Skipped,   // nothing to do here: not PENDING, deleted, unknown, or held by another runner
    Deferred,  // an unexpected failure left the order PENDING for a later attempt
};

const char* outcomeName(OrderOutcome outcome);

// Claims after which an unexpected failure (not a database outage, not an
// unsupported request) marks the order ERROR 500, as the reference does for
// unexpected failures. Before that, such a failure leaves the order PENDING
// for a later attempt.
inline constexpr int kMaxUnexpectedFailures = 3;

// Runs orders for one job-runner identity: claim with a lease, generate, and
// store the result and the ACTIVE status in one transaction that checks the
// lease is still this claim's. Running the same order twice, here or in
// another runner, never stores two results. Not thread-safe.
class OrderProcessor {
public:
    OrderProcessor(const core::Config& config, db::Database& db, db::ProjectKeyStore& project_keys,
                   std::string runner_id);

    // Processes order `order_id` once. Throws core::Error(Unavailable) when
    // the database cannot be reached: the order then stays PENDING, and its
    // lease, if taken, belongs to this runner, which may claim it again at
    // once. Throws core::Error(Internal) only when the claim itself fails.
    OrderOutcome process(const std::string& order_id);

    // Puts a live ERROR order with status code 500 back to PENDING, leased
    // to this runner (see db::resetErroredOrder), so process() can run it
    // next. Returns false, changing nothing, for any other order. Throws
    // core::Error(Unavailable) when the database cannot be reached.
    bool resetErrored(const std::string& order_id);

    const std::string& runnerId() const { return runner_id_; }

private:
    const core::Config& config_;
    db::Database& db_;
    db::ProjectKeyStore& project_keys_;
    std::string runner_id_;
};

// Delays between retries of an order whose processing hit a database outage:
// 1, 2, 4, 8, 15 and 30 seconds, so about one minute in all.
std::chrono::milliseconds retryDelay(int retry);
inline constexpr int kMaxOutageRetries = 6;

// Calls `attempt` (normally OrderProcessor::process) and retries it after
// core::Error(Unavailable) with the retryDelay back-off, logging each retry.
// Returns nothing when it gives up: after kMaxOutageRetries retries, or once
// SIGTERM or SIGINT arrived (see stop_signal.h). Other errors propagate.
std::optional<OrderOutcome> processWithRetries(const std::string& order_id,
                                               const std::function<OrderOutcome()>& attempt);

}  // namespace jobs
