#include "db/order_leases.h"

#include "db/bytea.h"
#include "db/order_repository.h"

namespace db {
namespace {

constexpr const char* kNowUtc = "(now() AT TIME ZONE 'utc')";

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
    ClaimedOrder order;
    std::string creator;
    std::string passphrase_hex;
    soci::indicator creator_ind = soci::i_null;
    soci::indicator passphrase_ind = soci::i_null;
    sql << std::string("UPDATE orders SET lease_owner = :runner, lease_expires_at = ") + kNowUtc +
               " + make_interval(secs => CAST(:lease AS double precision)), attempts = attempts + 1"
               " WHERE id = CAST(:id AS uuid) AND status = 'PENDING' AND NOT deleted"
               " AND (lease_expires_at IS NULL OR lease_expires_at < " + kNowUtc + " OR lease_owner = :owner)"
               " RETURNING project_id, type, meta, creator_id, encode(passphrase_ciphertext, 'hex'), attempts",
        soci::use(runner_id), soci::use(lease_seconds), soci::use(order_id), soci::use(runner_id),
        soci::into(order.project_id), soci::into(order.type), soci::into(order.meta_json), soci::into(creator, creator_ind),
        soci::into(passphrase_hex, passphrase_ind), soci::into(order.attempts);
    if (!sql.got_data()) return std::nullopt;

    order.id = order_id;
    order.lease_owner = runner_id;
    if (creator_ind == soci::i_ok) order.creator_id = creator;
    if (passphrase_ind == soci::i_ok) order.passphrase_ciphertext = hexDecode(passphrase_hex);
    return order;
}

std::optional<std::string> orderStatus(soci::session& sql, const std::string& order_id) {
    if (!isUuidText(order_id)) return std::nullopt;
    std::string status;
    sql << "SELECT status FROM orders WHERE id = CAST(:id AS uuid) AND NOT deleted", soci::use(order_id),
        soci::into(status);
    if (!sql.got_data()) return std::nullopt;
    return status;
}

bool markOrderActive(soci::session& sql, const ClaimedOrder& order, const std::optional<std::string>& secret_id,
                     const std::optional<std::string>& container_id, core::Timestamp now) {
    const std::string updated = core::formatSqlTimestamp(now);
    const std::string secret = secret_id.value_or("");
    const std::string container = container_id.value_or("");
    soci::indicator secret_ind = secret_id ? soci::i_ok : soci::i_null;
    soci::indicator container_ind = container_id ? soci::i_ok : soci::i_null;
    soci::statement update =
        (sql.prepare << "UPDATE orders SET status = 'ACTIVE', secret_id = CAST(:secret AS uuid),"
                        " container_id = CAST(:container AS uuid), sub_status = 'Unknown',"
                        " sub_status_message = 'Unknown', lease_owner = NULL, lease_expires_at = NULL,"
                        " updated_at = CAST(:updated AS timestamp)"
                        " WHERE id = CAST(:id AS uuid) AND status = 'PENDING' AND NOT deleted"
                        " AND lease_owner = :runner AND attempts = :attempts",
         soci::use(secret, secret_ind), soci::use(container, container_ind), soci::use(updated), soci::use(order.id),
         soci::use(order.lease_owner), soci::use(order.attempts));
    return affectedRows(update) == 1;
}

bool markOrderError(soci::session& sql, const ClaimedOrder& order, const std::string& status_code,
                    const std::string& reason, core::Timestamp now) {
    const std::string updated = core::formatSqlTimestamp(now);
    soci::statement update =
        (sql.prepare << "UPDATE orders SET status = 'ERROR', error_status_code = :code, error_reason = left(:reason, 255),"
                        " lease_owner = NULL, lease_expires_at = NULL, updated_at = CAST(:updated AS timestamp)"
                        " WHERE id = CAST(:id AS uuid) AND status = 'PENDING' AND NOT deleted"
                        " AND lease_owner = :runner AND attempts = :attempts",
         soci::use(status_code), soci::use(reason), soci::use(updated), soci::use(order.id), soci::use(order.lease_owner),
         soci::use(order.attempts));
    return affectedRows(update) == 1;
}

void releaseLease(soci::session& sql, const ClaimedOrder& order) {
    sql << "UPDATE orders SET lease_owner = NULL, lease_expires_at = NULL"
           " WHERE id = CAST(:id AS uuid) AND status = 'PENDING' AND lease_owner = :runner AND attempts = :attempts",
        soci::use(order.id), soci::use(order.lease_owner), soci::use(order.attempts);
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
