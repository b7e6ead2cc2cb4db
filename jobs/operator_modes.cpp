#include "jobs/operator_modes.h"

#include <iostream>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "db/order_leases.h"
#include "jobs/stop_signal.h"

namespace jobs {
namespace {

// Prints "processed N/M" about twenty times over a batch of more than one order.
class Progress {
public:
    explicit Progress(int total) : total_(total), step_(std::max(1, total / 20)) {}

    void update(int processed) const {
        if (total_ <= 1) return;
        if (processed % step_ == 0 || processed == total_) std::cerr << "processed " << processed << "/" << total_ << "\n";
    }

private:
    int total_;
    int step_;
};

// Runs `select` against the database, retrying through short outages.
// Returns nothing when the database stays unavailable.
std::optional<std::vector<std::string>> selectOrders(db::Database& db,
                                                     const std::function<std::vector<std::string>(soci::session&)>& select) {
    std::vector<std::string> ids;
    const std::optional<OrderOutcome> selected = processWithRetries("(selection)", [&] {
        db.run([&](soci::session& sql) { ids = select(sql); });
        return OrderOutcome::Active;
    });
    if (!selected) return std::nullopt;
    return ids;
}

BatchTally processList(Runner& runner, const std::vector<std::string>& ids, bool reset_errored) {
    BatchTally tally;
    const Progress progress(static_cast<int>(ids.size()));
    OrderProcessor& processor = runner.processor();
    for (const std::string& id : ids) {
        if (stopRequested()) {
            tally.incomplete = true;
            break;
        }
        if (reset_errored) {
            const std::optional<OrderOutcome> reset = processWithRetries(id, [&] {
                return processor.resetErrored(id) ? OrderOutcome::Active : OrderOutcome::Skipped;
            });
            if (reset != OrderOutcome::Active) {
                tally.add(reset);
                progress.update(tally.total());
                continue;
            }
        }
        tally.add(processWithRetries(id, [&] { return processor.process(id); }));
        progress.update(tally.total());
    }
    return tally;
}

BatchTally runSelected(const OperatorRequest& request, Runner& runner, db::Database& db) {
    if (request.once) {
        return runner.runQueueOnce(kMaxOperatorBatch, [](const BatchTally& tally) {
            if (tally.total() % 100 == 0) std::cerr << "processed " << tally.total() << "\n";
        });
    }

    std::optional<std::vector<std::string>> ids;
    if (request.order_id) {
        ids = std::vector<std::string>{*request.order_id};
    } else if (request.all_pending) {
        ids = selectOrders(db, [](soci::session& sql) { return db::pendingOrders(sql, kMaxOperatorBatch); });
    } else {
        ids = selectOrders(db, [](soci::session& sql) { return db::retryableErroredOrders(sql, kMaxOperatorBatch); });
    }
    if (!ids) {
        BatchTally tally;
        tally.incomplete = true;
        return tally;
    }
    return processList(runner, *ids, request.retry_errored);
}

}  // namespace

std::optional<std::string> operatorRequestError(const OperatorRequest& request) {
    const int modes = (request.all_pending ? 1 : 0) + (request.retry_errored ? 1 : 0) + (request.once ? 1 : 0);
    if (modes > 1) return "use only one of --all-pending, --retry-errored and --once";
    if (request.order_id && (request.all_pending || request.once))
        return "--order cannot be combined with --all-pending or --once";
    if (request.order_id && request.order_id->empty()) return "--order needs an order id";
    return std::nullopt;
}

int runOperatorMode(const OperatorRequest& request, Runner& runner, db::Database& db) {
    core::log::info("operator_mode_started")
        .kv("runner_id", runner.processor().runnerId())
        .kv("order_id", request.order_id.value_or("-"))
        .kv("all_pending", request.all_pending ? "yes" : "no")
        .kv("retry_errored", request.retry_errored ? "yes" : "no")
        .kv("once", request.once ? "yes" : "no");
    BatchTally tally;
    try {
        tally = runSelected(request, runner, db);
    } catch (const std::exception& error) {
        core::log::error("operator_mode_failed").kv("error", error.what());
        tally.incomplete = true;
    }
    std::cout << "done=" << tally.done << " failed=" << tally.failed << " skipped=" << tally.skipped << std::endl;
    if (tally.incomplete) std::cerr << "stopped before the end of the batch (see the log above)\n";
    return tally.allDone() ? 0 : 1;
}

}  // namespace jobs
