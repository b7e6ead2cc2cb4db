#include "jobs/order_processor.h"

#include <algorithm>
#include <array>

#include "core/crypto.h"
#include "core/error.h"
#include "core/keyring.h"
#include "core/log.h"
#include "db/container_writer.h"
#include "db/order_leases.h"
#include "db/secret_writer.h"
#include "db/transaction.h"
#include "jobs/stop_signal.h"
#include "jobs/tasks/order_task.h"

namespace jobs {
namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// The passphrase of an asymmetric order, decrypted with the project key. The
// API encrypted it bound to the order id and the type "text/plain".
CryptoPP::SecByteBlock decryptPassphrase(const db::ProjectKeyStore::ProjectKey& key, const db::ClaimedOrder& order) {
    const core::PayloadBinding binding{order.id, order.project_id, "text/plain"};
    return core::decryptPayload(key.key, binding, *order.passphrase_ciphertext);
}

OrderResult generate(db::Database& db, db::ProjectKeyStore& project_keys, const db::ClaimedOrder& order) {
    const OrderSpec spec = orderSpecOf(order);
    if (order.type == "key") return runKeyOrder(spec);
    if (order.type != "asymmetric") {
        throw core::Error(core::ErrorKind::Internal, "Order failure.", "unknown order type '" + order.type + "'");
    }
    if (!order.passphrase_ciphertext) return runAsymmetricOrder(spec, std::nullopt);
    CryptoPP::SecByteBlock passphrase;
    db.run([&](soci::session& sql) { passphrase = decryptPassphrase(project_keys.keyFor(sql, order.project_id), order); });
    const std::string_view text(reinterpret_cast<const char*>(passphrase.data()), passphrase.size());
    return runAsymmetricOrder(spec, text);
}

// Stores the generated secrets (and container) and marks the order ACTIVE
// atomically: one statement for a single secret, else one transaction.
// False when the claim is no longer current; nothing is stored then.
bool storeResult(db::Database& db, db::ProjectKeyStore& project_keys, const db::ClaimedOrder& order,
                 const OrderResult& result) {
    bool stored = false;
    db.run([&](soci::session& sql) {
        const db::ProjectKeyStore::ProjectKey& key = project_keys.keyFor(sql, order.project_id);
        const core::Timestamp now = core::nowUtc();
        if (!result.container && result.secrets.size() == 1) {
            const GeneratedSecret& secret = result.secrets.front();
            stored = db::storeOrderSecret(sql, order, key, secret.record, secret.payload, now);
            return;
        }
        std::optional<std::string> secret_id;
        std::optional<std::string> container_id;
        if (result.container) container_id = result.container->id;
        else secret_id = result.secrets.at(0).record.id;

        db::Transaction transaction(sql);
        // The lease check comes first, so a lost claim stops before any insert.
        if (!db::markOrderActive(sql, order, secret_id, container_id, now)) return;
        for (const GeneratedSecret& secret : result.secrets) {
            db::insertSecret(sql, key, secret.record, &secret.payload, now);
        }
        if (result.container) db::insertContainer(sql, *result.container, now);
        transaction.commit();
        stored = true;
    });
    return stored;
}

bool storeError(db::Database& db, const db::ClaimedOrder& order, int status_code, const std::string& reason) {
    bool stored = false;
    db.run([&](soci::session& sql) {
        stored = db::markOrderError(sql, order, std::to_string(status_code), reason, core::nowUtc());
    });
    return stored;
}

void logLostClaim(const db::ClaimedOrder& order) {
    core::log::warning("order_claim_lost").kv("order_id", order.id).kv("attempts", order.attempts);
}

}  // namespace

const char* outcomeName(OrderOutcome outcome) {
    switch (outcome) {
    case OrderOutcome::Active: return "active";
    case OrderOutcome::Errored: return "errored";
    case OrderOutcome::Skipped: return "skipped";
    case OrderOutcome::Deferred: return "deferred";
    }
    return "unknown";
}

OrderProcessor::OrderProcessor(const core::Config& config, db::Database& db, db::ProjectKeyStore& project_keys,
                               std::string runner_id)
    : config_(config), db_(db), project_keys_(project_keys), runner_id_(std::move(runner_id)) {}

OrderOutcome OrderProcessor::process(const std::string& order_id) {
    const auto started = std::chrono::steady_clock::now();
    std::optional<db::ClaimedOrder> claimed;
    std::optional<std::string> status;
    db_.run([&](soci::session& sql) {
        claimed = db::claimOrder(sql, order_id, runner_id_, config_.runner_lease_seconds);
        if (!claimed) status = db::orderStatus(sql, order_id);
    });
    if (!claimed) {
        core::log::info("order_skipped").kv("order_id", order_id).kv("status", status.value_or("unknown or deleted"));
        return OrderOutcome::Skipped;
    }
    const db::ClaimedOrder& order = *claimed;

    try {
        const OrderResult result = generate(db_, project_keys_, order);
        if (!storeResult(db_, project_keys_, order, result)) {
            logLostClaim(order);
            return OrderOutcome::Skipped;
        }
        core::log::info("order_completed")
            .kv("order_id", order.id)
            .kv("runner_id", runner_id_)
            .kv("type", order.type)
            .kv("attempts", order.attempts)
            .kv("duration_ms", millisecondsSince(started));
        return OrderOutcome::Active;
    } catch (const OrderFailure& failure) {
        if (!storeError(db_, order, failure.statusCode(), failure.what())) {
            logLostClaim(order);
            return OrderOutcome::Skipped;
        }
        core::log::info("order_failed")
            .kv("order_id", order.id)
            .kv("error_status_code", failure.statusCode())
            .kv("error_reason", failure.what());
        return OrderOutcome::Errored;
    } catch (const core::Error& error) {
        if (error.kind() == core::ErrorKind::Unavailable) throw;
        core::log::error("order_task_failed")
            .kv("order_id", order.id)
            .kv("attempts", order.attempts)
            .kv("error", error.what())
            .kv("detail", error.logDetail());
    } catch (const std::exception& error) {
        core::log::error("order_task_failed").kv("order_id", order.id).kv("attempts", order.attempts).kv("error", error.what());
    }

    // An unexpected failure: try again later, up to kMaxUnexpectedFailures claims.
    if (order.attempts >= kMaxUnexpectedFailures) {
        if (!storeError(db_, order, 500, std::string(kGenerationFailureReason))) {
            logLostClaim(order);
            return OrderOutcome::Skipped;
        }
        core::log::warning("order_failed").kv("order_id", order.id).kv("error_status_code", 500).kv("attempts", order.attempts);
        return OrderOutcome::Errored;
    }
    db_.run([&](soci::session& sql) { db::releaseLease(sql, order); });
    return OrderOutcome::Deferred;
}

bool OrderProcessor::resetErrored(const std::string& order_id) {
    bool reset = false;
    db_.run([&](soci::session& sql) {
        reset = db::resetErroredOrder(sql, order_id, runner_id_, config_.runner_lease_seconds, core::nowUtc());
    });
    if (reset) core::log::info("order_reset_to_pending").kv("order_id", order_id);
    else core::log::info("order_not_retryable").kv("order_id", order_id);
    return reset;
}

std::chrono::milliseconds retryDelay(int retry) {
    static constexpr std::array<int, kMaxOutageRetries> kDelaysMs = {1000, 2000, 4000, 8000, 15000, 30000};
    return std::chrono::milliseconds(kDelaysMs[static_cast<std::size_t>(std::clamp(retry, 0, kMaxOutageRetries - 1))]);
}

std::optional<OrderOutcome> processWithRetries(const std::string& order_id,
                                               const std::function<OrderOutcome()>& attempt) {
    for (int retry = 0;; ++retry) {
        try {
            return attempt();
        } catch (const core::Error& error) {
            if (error.kind() != core::ErrorKind::Unavailable) throw;
            if (retry >= kMaxOutageRetries || stopRequested()) {
                core::log::error("order_retry_abandoned")
                    .kv("order_id", order_id)
                    .kv("retries", retry)
                    .kv("error", error.what());
                return std::nullopt;
            }
            const std::chrono::milliseconds delay = retryDelay(retry);
            core::log::warning("order_retry")
                .kv("order_id", order_id)
                .kv("retry", retry + 1)
                .kv("delay_ms", static_cast<long long>(delay.count()))
                .kv("error", error.what());
            sleepUnlessStopped(delay);
        }
    }
}

}  // namespace jobs
