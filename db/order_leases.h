#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "core/timestamp.h"
#include "db/secret_writer.h"

// The job-runner's side of the orders table: claiming an order with a lease,
// writing its outcome only while the lease is still held, and finding orders
// without a live lease.
//
// A claim sets lease_owner, lease_expires_at and increments attempts. The
// attempts value returned by the claim is a fencing token: every outcome
// update requires the same owner and the same attempts, so a runner whose
// lease was taken over by another claim can no longer change the order, even
// if its own clock or lease bookkeeping is wrong.

namespace db {

// A PENDING order claimed by one job-runner.
struct ClaimedOrder {
    std::string id;
    std::string project_id;
    std::string type;
    std::string meta_json;  // as stored; jobs::orderSpecOf parses it
    std::optional<std::string> creator_id;
    // Encrypted passphrase of an asymmetric order, as stored (binary).
    std::optional<std::string> passphrase_ciphertext;
    std::string lease_owner;
    int attempts = 0;
};

// Claims the live PENDING order `order_id` for `runner_id` for
// `lease_seconds`. The order must be unleased, its lease expired, or its
// lease owned by `runner_id` itself. Runner ids are unique among live
// runners, and a runner works on one order at a time, so a lease of its own
// is left over from an attempt that failed. Returns nothing when the order
// cannot be claimed.
std::optional<ClaimedOrder> claimOrder(soci::session& sql, const std::string& order_id, const std::string& runner_id,
                                       int lease_seconds);

// Status of the order ("PENDING", "ACTIVE", "ERROR"), or nothing when it does
// not exist or is deleted.
std::optional<std::string> orderStatus(soci::session& sql, const std::string& order_id);

// Marks the claimed order ACTIVE with its result and drops the lease. Returns
// false, changing nothing, when the claim is no longer current (another claim
// took over, or the order was deleted). Run it in the transaction that stores
// the result, and roll back on false.
bool markOrderActive(soci::session& sql, const ClaimedOrder& order, const std::optional<std::string>& secret_id,
                     const std::optional<std::string>& container_id, core::Timestamp now);

// Stores the one secret of a claimed order and marks the order ACTIVE in a
// single autocommitted statement, outside any transaction. The lease rule is
// that of markOrderActive: on false nothing is stored.
bool storeOrderSecret(soci::session& sql, const ClaimedOrder& order, const ProjectKeyStore::ProjectKey& key,
                      const SecretRecord& secret, const core::SecretPayload& payload, core::Timestamp now);

// Marks the claimed order ERROR; same lease rule as markOrderActive.
bool markOrderError(soci::session& sql, const ClaimedOrder& order, const std::string& status_code,
                    const std::string& reason, core::Timestamp now);

// Drops the lease of a claim that gave up, leaving the order PENDING.
void releaseLease(soci::session& sql, const ClaimedOrder& order);

// Drops every lease of `runner_id` on PENDING orders and returns how many.
// Call it only while that runner has no order in progress.
int releaseLeasesOf(soci::session& sql, const std::string& runner_id);

// Ids of live PENDING orders created more than `min_age_seconds` ago without
// a live lease, oldest first, at most `limit`.
std::vector<std::string> unheldPendingOrders(soci::session& sql, int min_age_seconds, int limit);

// Ids of every live PENDING order, oldest first, at most `limit`.
std::vector<std::string> pendingOrders(soci::session& sql, int limit);

// Ids of live ERROR orders that a retry may fix (error_status_code "500"),
// oldest first, at most `limit`.
std::vector<std::string> retryableErroredOrders(soci::session& sql, int limit);

// Puts a retryable ERROR order back to PENDING with its error cleared and its
// attempt count reset, leased to `runner_id` for `lease_seconds` so that no
// other runner takes it before that runner claims it. False when the order is
// not a live ERROR order with status code "500".
bool resetErroredOrder(soci::session& sql, const std::string& order_id, const std::string& runner_id,
                       int lease_seconds, core::Timestamp now);

}  // namespace db
