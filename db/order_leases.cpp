#include "db/order_leases.h"

#include "db/bytea.h"
#include "db/order_repository.h"
#include "db/secret_writer.h"
#include "db/statements.h"

namespace db {
namespace {

constexpr const char* kNowUtc = "(now() AT TIME ZONE 'utc')";

// The statements below find one order by id and compare its status with a
// parameter, not the literal 'PENDING'. A generic plan made on a table with
// few rows may otherwise pick the partial index orders_pending (built for the
// sweep) over the primary key, and then scan every pending order per call.
constexpr const char* kPending = "PENDING";

std::vector<std::string> selectIds(soci::session& sql, const std::string& query, int limit) {
    std::vector<std::string> ids;
    soci::rowset<std::string> rows = (sql.prepare << query, soci::use(limit));
    for (const std::string& id : rows) ids.push_back(id);
    return ids;
}

// Runs an UPDATE and returns the number of rows it changed.
long long affectedRows(soci::statement& statement) {
    statement.execute(true);
    return statement.get_affected_rows();
}

}  // namespace

std::optional<ClaimedOrder> claimOrder(soci::session& sql, const std::string& order_id, const std::string& runner_id,
                                       int lease_seconds) {
    if (!isUuidText(order_id)) return std::nullopt;
    std::optional<ClaimedOrder> claimed;
    queryOne(sql,
             std::string("UPDATE orders SET lease_owner = :p1, lease_expires_at = ") + kNowUtc +
                 " + make_interval(secs => CAST(:p2 AS double precision)), attempts = attempts + 1"
                 " WHERE id = CAST(:p3 AS uuid) AND status = :p4 AND NOT deleted"
                 " AND (lease_expires_at IS NULL OR lease_expires_at < " + kNowUtc + " OR lease_owner = :p5)"
                 " RETURNING project_id, type, meta, creator_id, encode(passphrase_ciphertext, 'hex'), attempts::text",
             {runner_id, std::to_string(lease_seconds), order_id, kPending, runner_id}, [&](const soci::row& row) {
                 ClaimedOrder order;
                 order.id = order_id;
                 order.lease_owner = runner_id;
                 order.project_id = row.get<std::string>(0);
                 order.type = row.get<std::string>(1);
                 order.meta_json = row.get<std::string>(2);
                 order.creator_id = textColumn(row, 3);
                 if (const auto passphrase_hex = textColumn(row, 4)) order.passphrase_ciphertext = hexDecode(*passphrase_hex);
                 order.attempts = std::stoi(row.get<std::string>(5));
                 claimed = std::move(order);
             });
    return claimed;
}

std::optional<std::string> orderStatus(soci::session& sql, const std::string& order_id) {
    if (!isUuidText(order_id)) return std::nullopt;
    std::optional<std::string> status;
    queryOne(sql, "SELECT status FROM orders WHERE id = CAST(:p1 AS uuid) AND NOT deleted", {order_id},
             [&](const soci::row& row) { status = row.get<std::string>(0); });
    return status;
}

namespace {

// The UPDATE that makes a claimed order ACTIVE, and its parameters.
constexpr const char* kMarkActive =
    "UPDATE orders SET status = 'ACTIVE', secret_id = CAST(:p1 AS uuid),"
    " container_id = CAST(:p2 AS uuid), sub_status = 'Unknown',"
    " sub_status_message = 'Unknown', lease_owner = NULL, lease_expires_at = NULL,"
    " updated_at = CAST(:p3 AS timestamp)"
    " WHERE id = CAST(:p4 AS uuid) AND status = :p5 AND NOT deleted"
    " AND lease_owner = :p6 AND attempts = CAST(:p7 AS integer)";

SqlParams markActiveParams(const ClaimedOrder& order, const std::optional<std::string>& secret_id,
                           const std::optional<std::string>& container_id, core::Timestamp now) {
    return {secret_id, container_id, core::formatSqlTimestamp(now), order.id, kPending, order.lease_owner,
            std::to_string(order.attempts)};
}

}  // namespace

bool markOrderActive(soci::session& sql, const ClaimedOrder& order, const std::optional<std::string>& secret_id,
                     const std::optional<std::string>& container_id, core::Timestamp now) {
    return executeStatement(sql, kMarkActive, markActiveParams(order, secret_id, container_id, now)) == 1;
}

bool storeOrderSecret(soci::session& sql, const ClaimedOrder& order, const ProjectKeyStore::ProjectKey& key,
                      const SecretRecord& secret, const core::SecretPayload& payload, core::Timestamp now) {
    return insertSecretAfter(sql, std::string(kMarkActive) + " RETURNING 1",
                             markActiveParams(order, secret.id, std::nullopt, now), key, secret, &payload, now);
}

bool markOrderError(soci::session& sql, const ClaimedOrder& order, const std::string& status_code,
                    const std::string& reason, core::Timestamp now) {
    return executeStatement(sql,
                            "UPDATE orders SET status = 'ERROR', error_status_code = :p1, error_reason = left(:p2, 255),"
                            " lease_owner = NULL, lease_expires_at = NULL, updated_at = CAST(:p3 AS timestamp)"
                            " WHERE id = CAST(:p4 AS uuid) AND status = :p5 AND NOT deleted"
                            " AND lease_owner = :p6 AND attempts = CAST(:p7 AS integer)",
                            {status_code, reason, core::formatSqlTimestamp(now), order.id, kPending,
                             order.lease_owner, std::to_string(order.attempts)}) == 1;
}

void releaseLease(soci::session& sql, const ClaimedOrder& order) {
    executeStatement(sql,
                     "UPDATE orders SET lease_owner = NULL, lease_expires_at = NULL"
                     " WHERE id = CAST(:p1 AS uuid) AND status = :p2 AND lease_owner = :p3"
                     " AND attempts = CAST(:p4 AS integer)",
                     {order.id, kPending, order.lease_owner, std::to_string(order.attempts)});
}

int releaseLeasesOf(soci::session& sql, const std::string& runner_id) {
    soci::statement update = (sql.prepare << "UPDATE orders SET lease_owner = NULL, lease_expires_at = NULL"
                                             " WHERE lease_owner = :runner AND status = 'PENDING'",
                              soci::use(runner_id));
    return static_cast<int>(affectedRows(update));
}

std::vector<std::string> unheldPendingOrders(soci::session& sql, int min_age_seconds, int limit) {
    std::vector<std::string> ids;
    soci::rowset<std::string> rows =
        (sql.prepare << std::string("SELECT id::text FROM orders WHERE status = 'PENDING' AND NOT deleted"
                                    " AND created_at < ") + kNowUtc +
                            " - make_interval(secs => CAST(:age AS double precision))"
                            " AND (lease_expires_at IS NULL OR lease_expires_at < " + kNowUtc + ")"
                            " ORDER BY created_at LIMIT :limit",
         soci::use(min_age_seconds), soci::use(limit));
    for (const std::string& id : rows) ids.push_back(id);
    return ids;
}

std::vector<std::string> pendingOrders(soci::session& sql, int limit) {
    return selectIds(sql,
                     "SELECT id::text FROM orders WHERE status = 'PENDING' AND NOT deleted ORDER BY created_at LIMIT :limit",
                     limit);
}

std::vector<std::string> retryableErroredOrders(soci::session& sql, int limit) {
    return selectIds(sql,
                     "SELECT id::text FROM orders WHERE status = 'ERROR' AND error_status_code = '500' AND NOT deleted"
                     " ORDER BY created_at LIMIT :limit",
                     limit);
}

bool resetErroredOrder(soci::session& sql, const std::string& order_id, const std::string& runner_id,
                       int lease_seconds, core::Timestamp now) {
    if (!isUuidText(order_id)) return false;
    const std::string updated = core::formatSqlTimestamp(now);
    soci::statement update =
        (sql.prepare << std::string("UPDATE orders SET status = 'PENDING', error_status_code = NULL, error_reason = NULL,"
                                    " lease_owner = :runner, lease_expires_at = ") + kNowUtc +
                            " + make_interval(secs => CAST(:lease AS double precision)), attempts = 0,"
                            " updated_at = CAST(:updated AS timestamp)"
                            " WHERE id = CAST(:id AS uuid) AND status = 'ERROR' AND error_status_code = '500'"
                            " AND NOT deleted",
         soci::use(runner_id), soci::use(lease_seconds), soci::use(updated), soci::use(order_id));
    return affectedRows(update) == 1;
}

}  // namespace db
