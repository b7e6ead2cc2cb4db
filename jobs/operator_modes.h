#pragma once

#include <optional>
#include <string>

#include "db/database.h"
#include "jobs/runner.h"

namespace jobs {

// The by-hand modes of barbican-job-runner, chosen by command-line flags.
struct OperatorRequest {
    std::optional<std::string> order_id;  // --order ID
    bool all_pending = false;             // --all-pending
    bool retry_errored = false;           // --retry-errored
    bool once = false;                    // --once

    bool any() const { return order_id || all_pending || retry_errored || once; }
};

// Largest number of orders one operator run selects.
inline constexpr int kMaxOperatorBatch = 100000;

// Runs an operator mode in the foreground through the runner's claim path,
// so it is safe next to running daemons (with runner.id set, the run's own id
// is "<runner.id>:operator:<pid>"):
//  --order ID        process that order;
//  --all-pending     process every PENDING order (orders leased by
//                    another runner are skipped);
//  --retry-errored   put ERROR orders whose error_status_code is "500" back to
//                    PENDING and process them (only the one given with
//                    --order, if any). A "400" means the request itself is
//                    unsupported, so a retry would fail the same way; a "500"
//                    is a failure on the server side that a fix or a change of
//                    configuration may cure;
//  --once            process the ids queued in Redis, then stop.
// Prints "processed N/M" on stderr while many orders run and ends with the
// line "done=N failed=N skipped=N" on stdout. Returns the exit status: 0 only
// if every selected order ended ACTIVE, else 1.
int runOperatorMode(const OperatorRequest& request, Runner& runner, db::Database& db);

// Checks that the flags combine: --order alone or with --retry-errored;
// --all-pending, --retry-errored and --once alone. Returns an error message,
// or nothing when they combine.
std::optional<std::string> operatorRequestError(const OperatorRequest& request);

}  // namespace jobs
