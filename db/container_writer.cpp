#include "db/container_writer.h"

namespace db {

void insertContainer(soci::session& sql, const ContainerRecord& container, core::Timestamp now) {
    const std::string created = core::formatSqlTimestamp(now);
    const std::string name = container.name.value_or("");
    const std::string creator = container.creator_id.value_or("");
    soci::indicator name_ind = container.name ? soci::i_ok : soci::i_null;
    soci::indicator creator_ind = container.creator_id ? soci::i_ok : soci::i_null;
    sql << "INSERT INTO containers (id, project_id, name, type, creator_id, created_at, updated_at)"
           " VALUES (CAST(:id AS uuid), :project, :name, :type, :creator, CAST(:created AS timestamp),"
           " CAST(:updated AS timestamp))",
        soci::use(container.id), soci::use(container.project_id), soci::use(name, name_ind), soci::use(container.type),
        soci::use(creator, creator_ind), soci::use(created), soci::use(created);

    // The links get increasing creation times so that listing them by
    // created_at keeps the display order.
    std::int64_t step = 0;
    for (const auto& [link_name, secret_id] : container.secrets) {
        const std::string linked = core::formatSqlTimestamp(now + std::chrono::microseconds(step++));
        sql << "INSERT INTO container_secrets (container_id, secret_id, name, created_at)"
               " VALUES (CAST(:container AS uuid), CAST(:secret AS uuid), :name, CAST(:created AS timestamp))",
            soci::use(container.id), soci::use(secret_id), soci::use(link_name), soci::use(linked);
    }
}

}  // namespace db
