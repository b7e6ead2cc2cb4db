#pragma once

#include <functional>
#include <string>

#include "core/config.h"
#include "db/database.h"
#include "db/project_keys.h"
#include "jobs/order_processor.h"
#include "jobs/queue.h"
#include "jobs/sweeper.h"

namespace jobs {

// Counts of a batch of orders, printed as "done=N failed=N skipped=N".
struct BatchTally {
    int done = 0;     // ended ACTIVE
    int failed = 0;   // ended ERROR, left PENDING after a failure, or abandoned during an outage
    int skipped = 0;  // not processed: not PENDING, deleted, unknown, or held by another runner
    bool incomplete = false;  // stopped early: Redis unavailable, or SIGTERM

    // Adds the result of one order; nothing means processing was abandoned.
    void add(const std::optional<OrderOutcome>& outcome);
    int total() const { return done + failed + skipped; }
    bool allDone() const { return failed == 0 && skipped == 0 && !incomplete; }
};

// The job-runner: takes order ids from the Redis queue into its own
// processing list, runs each order, removes the id from the processing list,
// and sweeps between orders (see Sweeper). One order at a time; a job-runner
// process runs runner.threads of them, each with its own id, database
// session and Redis connection. runner_id must be unique among the runners
// that are alive.
class Runner {
public:
    // `push_unheld` goes to the Sweeper: false for all but one thread of a
    // job-runner process.
    Runner(const core::Config& config, db::Database& db, Queue& queue, db::ProjectKeyStore& project_keys,
           std::string runner_id, bool push_unheld = true);

    // Runs until SIGTERM or SIGINT (see stop_signal.h), finishing the order in
    // hand first. Database and Redis outages are logged and waited out.
    // Returns the exit status, 0.
    int runDaemon();

    // Takes and processes ids until the queue is empty, or a stop is
    // requested, or `max_orders` were taken. Puts this runner's processing
    // list back into the queue first. `on_order` is called after each order.
    BatchTally runQueueOnce(int max_orders, const std::function<void(const BatchTally&)>& on_order);

    OrderProcessor& processor() { return processor_; }
    const std::string& processingList() const { return processing_list_; }

private:
    // Processes one id taken from the queue and removes it from the
    // processing list, unless processing was abandoned during an outage: the
    // id then stays there for the next sweep to put back.
    std::optional<OrderOutcome> handleDelivery(const std::string& order_id);

    const core::Config& config_;
    Queue& queue_;
    std::string runner_id_;
    std::string processing_list_;
    OrderProcessor processor_;
    Sweeper sweeper_;
};

}  // namespace jobs
