#include "jobs/runner.h"

#include <algorithm>

#include "core/error.h"
#include "core/log.h"
#include "jobs/stop_signal.h"

namespace jobs {
namespace {

// How long one BLMOVE waits for an id; it bounds how late SIGTERM and sweeps
// are noticed while the queue is empty.
constexpr std::chrono::seconds kTakeWait(2);
constexpr std::chrono::milliseconds kMaxQueueBackoff(10000);

}  // namespace

void BatchTally::add(const std::optional<OrderOutcome>& outcome) {
    if (!outcome) {
        ++failed;
        return;
    }
    switch (*outcome) {
    case OrderOutcome::Active: ++done; break;
    case OrderOutcome::Skipped: ++skipped; break;
    case OrderOutcome::Errored:
    case OrderOutcome::Deferred: ++failed; break;
    }
}

Runner::Runner(const core::Config& config, db::Database& db, Queue& queue, db::ProjectKeyStore& project_keys,
               std::string runner_id, bool push_unheld)
    : config_(config),
      queue_(queue),
      runner_id_(runner_id),
      processing_list_(queue.processingListFor(runner_id)),
      processor_(config, db, project_keys, runner_id),
      sweeper_(config, db, queue, runner_id, push_unheld) {}

std::optional<OrderOutcome> Runner::handleDelivery(const std::string& order_id) {
    std::optional<OrderOutcome> outcome;
    try {
        outcome = processWithRetries(order_id, [&] { return processor_.process(order_id); });
    } catch (const std::exception& error) {
        // A failing claim statement: a bug or a schema mismatch, not an outage.
        core::log::error("order_claim_failed").kv("order_id", order_id).kv("error", error.what());
        outcome = OrderOutcome::Deferred;
    }
    if (outcome) queue_.finish(processing_list_, order_id);
    return outcome;
}

int Runner::runDaemon() {
    core::log::info("runner_started")
        .kv("runner_id", runner_id_)
        .kv("queue", queue_.listName())
        .kv("processing_list", processing_list_)
        .kv("lease_seconds", config_.runner_lease_seconds)
        .kv("sweep_interval_seconds", config_.runner_sweep_interval_seconds);
    // The first sweep also recovers what a previous process with this
    // runner id left behind.
    sweeper_.sweepIfDue();

    long processed = 0;
    std::chrono::milliseconds queue_backoff(1000);
    while (!stopRequested()) {
        sweeper_.sweepIfDue();
        std::optional<std::string> order_id;
        try {
            order_id = queue_.take(processing_list_, kTakeWait);
            queue_backoff = std::chrono::milliseconds(1000);
        } catch (const core::Error& error) {
            core::log::warning("queue_take_failed")
                .kv("error", error.what())
                .kv("retry_in_ms", static_cast<long long>(queue_backoff.count()));
            sleepUnlessStopped(queue_backoff);
            queue_backoff = std::min(queue_backoff * 2, kMaxQueueBackoff);
            continue;
        }
        if (!order_id) continue;
        // An id taken just after SIGTERM is in hand too: process it.
        handleDelivery(*order_id);
        ++processed;
    }
    core::log::info("runner_stopped").kv("runner_id", runner_id_).kv("orders", processed);
    return 0;
}

BatchTally Runner::runQueueOnce(int max_orders, const std::function<void(const BatchTally&)>& on_order) {
    BatchTally tally;
    try {
        const int moved = queue_.requeueProcessing(processing_list_);
        if (moved > 0) core::log::info("processing_list_requeued").kv("list", processing_list_).kv("ids", moved);
    } catch (const core::Error& error) {
        core::log::error("queue_unavailable").kv("error", error.what());
        tally.incomplete = true;
        return tally;
    }
    while (!stopRequested() && tally.total() < max_orders) {
        std::optional<std::string> order_id;
        try {
            order_id = queue_.take(processing_list_, std::chrono::seconds(1));
        } catch (const core::Error& error) {
            core::log::error("queue_take_failed").kv("error", error.what());
            tally.incomplete = true;
            break;
        }
        if (!order_id) break;
        tally.add(handleDelivery(*order_id));
        if (on_order) on_order(tally);
    }
    if (stopRequested()) tally.incomplete = true;
    // Ids abandoned during an outage go back to the queue, because no later
    // sweep of this one-off runner id would find them.
    try {
        queue_.requeueProcessing(processing_list_);
    } catch (const core::Error& error) {
        core::log::error("processing_list_requeue_failed").kv("list", processing_list_).kv("error", error.what());
        tally.incomplete = true;
    }
    return tally;
}

}  // namespace jobs
