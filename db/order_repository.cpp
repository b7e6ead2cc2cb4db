#include "db/order_repository.h"

#include <boost/json.hpp>

#include "core/error.h"
#include "db/secret_writer.h"
#include "db/quota.h"
#include "db/sql_time.h"
#include "db/statements.h"

namespace db {
namespace {

// Columns of an OrderRecord, in the order readOrder expects them.
std::string orderColumns() {
    return "id::text, type, meta, status, creator_id, secret_id::text, container_id::text, sub_status,"
           " sub_status_message, error_status_code, error_reason, " +
           sqlTimestamp("created_at") + ", " + sqlTimestamp("updated_at");
}

boost::json::object parseMeta(const std::string& text, const std::string& order_id) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    if (ec || !value.is_object()) {
        throw core::Error(core::ErrorKind::Internal, "Order failure.", "stored meta of order " + order_id + " is not a JSON object");
    }
    return std::move(value.as_object());
}

OrderRecord readOrder(const soci::row& row) {
    OrderRecord order;
    order.id = row.get<std::string>(0);
    order.type = row.get<std::string>(1);
    order.meta = parseMeta(row.get<std::string>(2), order.id);
    order.status = row.get<std::string>(3);
    order.creator_id = textColumn(row, 4);
    order.secret_id = textColumn(row, 5);
    order.container_id = textColumn(row, 6);
    order.sub_status = textColumn(row, 7);
    order.sub_status_message = textColumn(row, 8);
    order.error_status_code = textColumn(row, 9);
    order.error_reason = textColumn(row, 10);
    order.created = apiTimestamp(row.get<std::string>(11));
    order.updated = apiTimestamp(row.get<std::string>(12));
    return order;
}

bool isLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

bool isUuidText(const std::string& id) {
    if (id.size() != 36) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash_position ? id[i] != '-' : !isLowerHex(id[i])) return false;
    }
    return true;
}

std::string encryptOrderPassphraseHex(const ProjectKeyStore::ProjectKey& key, const std::string& order_id,
                                      const std::string& project_id, std::string_view passphrase) {
    core::SecretPayload payload;
    payload.bytes.Assign(reinterpret_cast<const CryptoPP::byte*>(passphrase.data()), passphrase.size());
    payload.content_type = "text/plain";
    return encryptPayloadHex(key, order_id, project_id, payload);
}

namespace {

constexpr const char* kInsertOrderColumns =
    "INSERT INTO orders (id, project_id, type, meta, passphrase_ciphertext, status, creator_id,"
    " created_at, updated_at) ";
constexpr const char* kOrderValues =
    "CAST(:p1 AS uuid), :p2, :p3, :p4, decode(:p5, 'hex'), 'PENDING', :p6, CAST(:p7 AS timestamp),"
    " CAST(:p8 AS timestamp)";

SqlParams orderParams(const NewOrderRecord& order, core::Timestamp now) {
    const std::string created = core::formatSqlTimestamp(now);
    return {order.id, order.project_id, order.type, boost::json::serialize(order.meta),
            order.passphrase_ciphertext_hex, order.creator_id, created, created};
}

}  // namespace

void insertOrder(soci::session& sql, const NewOrderRecord& order, core::Timestamp now) {
    executeStatement(sql, std::string(kInsertOrderColumns) + "VALUES (" + kOrderValues + ")", orderParams(order, now));
}

bool insertOrderWithoutProjectQuota(soci::session& sql, const NewOrderRecord& order, core::Timestamp now) {
    SqlParams params = orderParams(order, now);
    params.push_back(order.project_id);
    return executeStatement(sql,
                            std::string(kInsertOrderColumns) + "SELECT " + kOrderValues +
                                unlessProjectQuota(QuotaResource::Orders, ":p9"),
                            params) == 1;
}

std::optional<OrderRecord> findOrder(soci::session& sql, const std::string& project_id, const std::string& order_id) {
    if (!isUuidText(order_id)) return std::nullopt;
    std::optional<OrderRecord> order;
    // The project is compared here, not in SQL: with project_id in the
    // WHERE clause, a generic plan made while the table was small can pick
    // orders_project_created and scan every order of the project.
    queryOne(sql, "SELECT " + orderColumns() + ", project_id FROM orders WHERE id = CAST(:p1 AS uuid) AND NOT deleted",
             {order_id}, [&](const soci::row& row) {
                 if (row.get<std::string>(13) == project_id) order = readOrder(row);
             });
    return order;
}

OrderPage listOrders(soci::session& sql, const std::string& project_id, const std::string& meta_filter,
                     std::int64_t offset, std::int64_t limit) {
    // Barbican encodes the filter value as a JSON string before matching it
    // against the stored meta text. strpos, unlike Barbican's LIKE, keeps '%'
    // and '_' literal.
    const std::string token = boost::json::serialize(boost::json::value(boost::json::string(meta_filter)));
    const std::string use_filter = meta_filter.empty() ? "0" : "1";
    const std::string where =
        " FROM orders WHERE project_id = :p1 AND NOT deleted AND (CAST(:p2 AS integer) = 0 OR strpos(meta, :p3) > 0)";

    OrderPage page;
    queryRows(sql,
              "SELECT " + orderColumns() + ", (count(*) OVER ())::text" + where +
                  " ORDER BY created_at, id LIMIT CAST(:p4 AS bigint) OFFSET CAST(:p5 AS bigint)",
              {project_id, use_filter, token, std::to_string(limit), std::to_string(offset)},
              [&](const soci::row& row) {
                  page.orders.push_back(readOrder(row));
                  page.total = std::stoll(row.get<std::string>(13));
              });
    if (page.orders.empty() && offset > 0) {
        // Past the end the window count has no row to ride on.
        queryOne(sql, "SELECT count(*)::text" + where, {project_id, use_filter, token},
                 [&](const soci::row& row) { page.total = std::stoll(row.get<std::string>(0)); });
    }
    return page;
}

bool deleteOrder(soci::session& sql, const std::string& project_id, const std::string& order_id) {
    if (!isUuidText(order_id)) return false;
    return executeStatement(sql,
                            "UPDATE orders SET deleted = true, deleted_at = (now() AT TIME ZONE 'utc'),"
                            " updated_at = (now() AT TIME ZONE 'utc')"
                            " WHERE id = CAST(:p1 AS uuid) AND project_id = :p2 AND NOT deleted",
                            {order_id, project_id}) > 0;
}

}  // namespace db
