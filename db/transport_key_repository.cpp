#include "db/transport_key_repository.h"

#include "core/crypto.h"
#include "db/sql_time.h"

namespace db {

std::string insertTransportKey(soci::session& sql, const std::string& plugin_name, const std::string& transport_key,
                               core::Timestamp now) {
    const std::string id = core::newUuidV4();
    const std::string now_text = core::formatSqlTimestamp(now);
    sql << "INSERT INTO transport_keys (id, plugin_name, transport_key, created_at, updated_at)"
           " VALUES (CAST(:id AS uuid), :plugin, :key, CAST(:now AS timestamp), CAST(:now2 AS timestamp))",
        soci::use(id), soci::use(plugin_name), soci::use(transport_key), soci::use(now_text), soci::use(now_text);
    return id;
}

std::optional<TransportKeyRecord> findTransportKey(soci::session& sql, const std::string& id) {
    TransportKeyRecord record;
    sql << "SELECT CAST(id AS text), plugin_name, transport_key, status, " + sqlTimestamp("created_at") + ", " +
               sqlTimestamp("updated_at") + " FROM transport_keys WHERE id = CAST(:id AS uuid) AND NOT deleted",
        soci::use(id), soci::into(record.id), soci::into(record.plugin_name), soci::into(record.transport_key),
        soci::into(record.status), soci::into(record.created), soci::into(record.updated);
    if (!sql.got_data()) return std::nullopt;
    record.created = apiTimestamp(record.created);
    record.updated = apiTimestamp(record.updated);
    return record;
}

TransportKeyPage listTransportKeys(soci::session& sql, const std::optional<std::string>& plugin_name,
                                   std::int64_t offset, std::int64_t limit) {
    const std::string filter = " WHERE NOT deleted AND (CAST(:plugin AS text) IS NULL OR plugin_name = :plugin2)";
    const std::string name = plugin_name.value_or(std::string());
    soci::indicator name_ind = plugin_name ? soci::i_ok : soci::i_null;
    soci::indicator name_ind2 = name_ind;
    long long offset_value = offset, limit_value = limit;

    TransportKeyPage page;
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT CAST(id AS text), count(*) OVER () FROM transport_keys" +
                                                       filter + " ORDER BY created_at, id OFFSET :o LIMIT :l",
                                    soci::use(name, name_ind), soci::use(name, name_ind2), soci::use(offset_value),
                                    soci::use(limit_value));
    for (const soci::row& row : rows) {
        page.ids.push_back(row.get<std::string>(0));
        page.total = row.get<long long>(1);
    }
    if (page.ids.empty()) {
        // Past the last key the window count is not available.
        long long total = 0;
        sql << "SELECT count(*) FROM transport_keys" + filter, soci::use(name, name_ind), soci::use(name, name_ind2),
            soci::into(total);
        page.total = total;
    }
    return page;
}

bool deleteTransportKey(soci::session& sql, const std::string& id, core::Timestamp now) {
    const std::string now_text = core::formatSqlTimestamp(now);
    soci::statement statement =
        (sql.prepare << "UPDATE transport_keys SET deleted = true, deleted_at = CAST(:now AS timestamp),"
                        " updated_at = CAST(:now2 AS timestamp) WHERE id = CAST(:id AS uuid) AND NOT deleted",
         soci::use(now_text), soci::use(now_text), soci::use(id));
    statement.execute(true);
    return statement.get_affected_rows() > 0;
}

}  // namespace db
