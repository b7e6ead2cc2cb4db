#pragma once

#include <chrono>
#include <string>

#include "core/config.h"
#include "db/database.h"
#include "jobs/queue.h"

namespace jobs {

// Counts of one sweep's steps; -1 for a step that failed because its
// service was unavailable.
struct SweepReport {
    int leases_released = 0;
    int requeued_from_processing = 0;
    int pushed = 0;
};

// Largest number of PENDING orders one sweep queues again.
inline constexpr int kSweepBatch = 1000;

// The job-runner's periodic repair of the queue. It runs between two
// orders, so the runner has no order in progress while it sweeps:
//  1. drops the leases this runner id still has (left by an attempt that
//     gave up, or by a previous process with the same runner.id);
//  2. moves the ids left in this runner's processing list back to the
//     pending list;
//  3. pushes again every PENDING order older than runner.sweep_min_age_seconds
//     without a live lease, which covers pushes lost while Redis was down and a
//     Redis that lost its data.
// An order may then sit in the pending list twice; the lease makes the second
// delivery a no-op.
//
// With an empty runner.id the id contains the process id, so step 2 never
// sees the processing list of a previous process. Its orders are found by
// step 3 of any runner once their lease expires, and the list itself stays in
// Redis.
// NOTE: such abandoned processing lists are never deleted; set runner.id to a
// stable value per host to avoid them.
class Sweeper {
public:
    // `push_unheld`: whether this sweeper runs step 3. The threads of one
    // job-runner share it out to one thread, so they do not push the same
    // orders several times.
    Sweeper(const core::Config& config, db::Database& db, Queue& queue, std::string runner_id, bool push_unheld = true);

    // Sweeps when runner.sweep_interval_seconds have passed since the last
    // sweep, or on the first call.
    void sweepIfDue();

    // Sweeps now. Database or Redis failures are logged, not thrown; the next
    // sweep tries again.
    SweepReport sweep();

private:
    const core::Config& config_;
    db::Database& db_;
    Queue& queue_;
    std::string runner_id_;
    std::string processing_list_;
    bool push_unheld_ = true;
    bool swept_once_ = false;
    std::chrono::steady_clock::time_point last_sweep_{};
};

}  // namespace jobs
