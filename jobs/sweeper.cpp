#include "jobs/sweeper.h"

#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "db/order_leases.h"

namespace jobs {

Sweeper::Sweeper(const core::Config& config, db::Database& db, Queue& queue, std::string runner_id, bool push_unheld)
    : config_(config),
      db_(db),
      queue_(queue),
      runner_id_(std::move(runner_id)),
      processing_list_(queue.processingListFor(runner_id_)),
      push_unheld_(push_unheld) {}

void Sweeper::sweepIfDue() {
    const auto now = std::chrono::steady_clock::now();
    if (swept_once_ && now - last_sweep_ < std::chrono::seconds(config_.runner_sweep_interval_seconds)) return;
    sweep();
}

SweepReport Sweeper::sweep() {
    swept_once_ = true;
    last_sweep_ = std::chrono::steady_clock::now();
    SweepReport report;
    std::vector<std::string> unheld;

    try {
        db_.run([&](soci::session& sql) {
            report.leases_released = db::releaseLeasesOf(sql, runner_id_);
            if (push_unheld_) unheld = db::unheldPendingOrders(sql, config_.runner_sweep_min_age_seconds, kSweepBatch);
        });
    } catch (const core::Error& error) {
        core::log::warning("sweep_database_failed").kv("error", error.what()).kv("detail", error.logDetail());
        report.leases_released = -1;
        report.pushed = -1;
    }

    try {
        report.requeued_from_processing = queue_.requeueProcessing(processing_list_);
    } catch (const core::Error& error) {
        core::log::warning("sweep_requeue_failed").kv("list", processing_list_).kv("error", error.what());
        report.requeued_from_processing = -1;
    }

    for (const std::string& id : unheld) {
        if (!queue_.push(id)) {
            core::log::warning("sweep_push_failed").kv("order_id", id).kv("left", static_cast<long>(unheld.size()) - report.pushed);
            break;
        }
        ++report.pushed;
    }

    const bool did_something = report.leases_released != 0 || report.requeued_from_processing != 0 || report.pushed != 0;
    if (did_something) {
        core::log::info("sweep_done")
            .kv("leases_released", report.leases_released)
            .kv("requeued_from_processing", report.requeued_from_processing)
            .kv("pushed", report.pushed);
    }
    return report;
}

}  // namespace jobs
