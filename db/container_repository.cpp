#include "db/container_repository.h"

#include <boost/json.hpp>

#include "db/sql_time.h"

namespace db {
namespace {

// Every column is read as text, so one row reader serves both queries. The
// order matches readRow(). Links keep their insertion order (created_at,
// see insertContainer) and consumers are sorted by name, as the consumer
// list is.
std::string selectColumns() {
    return "c.id::text, c.project_id, c.name, c.type, c.status, " + sqlTimestamp("c.created_at") + ", " +
           sqlTimestamp("c.updated_at") +
           ", c.creator_id, (a.container_id IS NOT NULL)::text, a.project_access::text,"
           " array_to_json(a.users)::text,"
           " (SELECT json_agg(json_build_object('name', l.name, 'secret_id', l.secret_id)"
           " ORDER BY l.created_at, l.secret_id, l.name)::text"
           " FROM container_secrets l JOIN secrets s ON s.id = l.secret_id AND NOT s.deleted"
           " WHERE l.container_id = c.id),"
           " (SELECT json_agg(json_build_object('name', k.name, 'URL', k.url) ORDER BY k.name, k.url)::text"
           " FROM container_consumers k WHERE k.container_id = c.id AND NOT k.deleted)";
}

constexpr std::size_t kRowColumns = 13;

constexpr const char* kFromContainers = " FROM containers c LEFT JOIN container_acls a ON a.container_id = c.id";

// The condition of a secret a request may link: live and in the project.
constexpr const char* kUsableSecret =
    "NOT s.deleted AND (s.expiration IS NULL OR s.expiration > (now() AT TIME ZONE 'utc'))";

std::optional<std::string> textAt(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) return std::nullopt;
    return row.get<std::string>(i);
}

std::string requiredTextAt(const soci::row& row, std::size_t i) { return textAt(row, i).value_or(std::string()); }

ContainerRow readRow(const soci::row& row) {
    ContainerRow container;
    core::ContainerRecord& record = container.record;
    record.id = requiredTextAt(row, 0);
    container.target.project_id = requiredTextAt(row, 1);
    record.name = textAt(row, 2);
    record.type = requiredTextAt(row, 3);
    record.status = requiredTextAt(row, 4);
    record.created = apiTimestamp(requiredTextAt(row, 5));
    record.updated = apiTimestamp(requiredTextAt(row, 6));
    record.creator_id = textAt(row, 7);

    container.target.creator_id = record.creator_id;
    if (requiredTextAt(row, 8) == "true") {
        container.target.is_private = requiredTextAt(row, 9) != "true";
        if (const auto users = textAt(row, 10)) {
            const boost::json::value parsed_users = boost::json::parse(*users);
            for (const auto& user : parsed_users.as_array())
                container.target.acl_users.emplace_back(user.as_string());
        }
    }

    if (const auto links = textAt(row, 11)) {
        const boost::json::value parsed_links = boost::json::parse(*links);
        for (const auto& item : parsed_links.as_array()) {
            const auto& link = item.as_object();
            core::ContainerRecord::Link parsed;
            if (link.at("name").is_string()) parsed.name = std::string(link.at("name").as_string());
            parsed.secret_id = std::string(link.at("secret_id").as_string());
            record.links.push_back(std::move(parsed));
        }
    }
    if (const auto consumers = textAt(row, 12)) {
        const boost::json::value parsed_consumers = boost::json::parse(*consumers);
        for (const auto& item : parsed_consumers.as_array()) {
            const auto& consumer = item.as_object();
            record.consumers.push_back(core::ContainerRecord::Consumer{std::string(consumer.at("name").as_string()),
                                                                       std::string(consumer.at("URL").as_string())});
        }
    }
    return container;
}

soci::indicator indicatorOf(const std::optional<std::string>& value) { return value ? soci::i_ok : soci::i_null; }

}  // namespace

std::optional<ContainerRow> findContainer(soci::session& sql, const std::string& id) {
    const std::string text = "SELECT " + selectColumns() + kFromContainers +
                             " WHERE c.id = CAST(:id AS uuid) AND NOT c.deleted";
    std::optional<ContainerRow> found;
    soci::rowset<soci::row> rows = (sql.prepare << text, soci::use(id));
    for (const soci::row& row : rows) found = readRow(row);
    return found;
}

ContainerPage listContainers(soci::session& sql, const ContainerListQuery& query) {
    // Empty filters are not applied, as upstream skips falsy filter values.
    const std::string where =
        " WHERE c.project_id = :p AND NOT c.deleted"
        " AND (CAST(:n AS text) = '' OR c.name LIKE :n2 ESCAPE '') AND (CAST(:t AS text) = '' OR c.type = :t2)";
    const std::string text = "SELECT " + selectColumns() + ", (count(*) OVER ())::text" + kFromContainers + where +
                             " ORDER BY c.created_at, c.id LIMIT " + std::to_string(query.limit) + " OFFSET " +
                             std::to_string(query.offset);
    ContainerPage page;
    {
        soci::rowset<soci::row> rows = (sql.prepare << text, soci::use(query.project_id), soci::use(query.name),
                                        soci::use(query.name), soci::use(query.type), soci::use(query.type));
        for (const soci::row& row : rows) {
            page.rows.push_back(readRow(row));
            page.total = std::stoll(requiredTextAt(row, kRowColumns));
        }
    }
    if (page.rows.empty() && query.offset > 0) {
        // The window count is only there when the page has rows.
        long long total = 0;
        sql << "SELECT count(*) FROM containers c" + where, soci::use(query.project_id), soci::use(query.name),
            soci::use(query.name), soci::use(query.type), soci::use(query.type), soci::into(total);
        page.total = total;
    }
    return page;
}

std::vector<std::size_t> missingSecrets(soci::session& sql, const std::string& project_id,
                                        const std::vector<std::string>& secret_ids) {
    boost::json::array ids;
    for (const std::string& id : secret_ids) ids.emplace_back(id);
    const std::string ids_json = boost::json::serialize(ids);

    // The CASE keeps text that is not a UUID away from the cast; CASE is the
    // construct whose evaluation order PostgreSQL guarantees.
    const std::string text =
        "WITH found AS (SELECT s.id FROM secrets s WHERE s.id IN ("
        "SELECT CASE WHEN e.id ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'"
        " THEN CAST(e.id AS uuid) END FROM jsonb_array_elements_text(CAST(:ids AS jsonb)) AS e(id))"
        " AND s.project_id = :p AND " +
        std::string(kUsableSecret) +
        " FOR SHARE) "
        "SELECT (e.position - 1)::text FROM jsonb_array_elements_text(CAST(:ids2 AS jsonb)) WITH ORDINALITY"
        " AS e(id, position) WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.id::text = lower(e.id))"
        " ORDER BY e.position";
    std::vector<std::size_t> missing;
    soci::rowset<soci::row> rows = (sql.prepare << text, soci::use(ids_json), soci::use(project_id),
                                    soci::use(ids_json));
    for (const soci::row& row : rows) missing.push_back(std::stoul(requiredTextAt(row, 0)));
    return missing;
}

void insertContainer(soci::session& sql, const ContainerInsert& container, core::Timestamp now) {
    boost::json::array links;
    for (const auto& link : container.links) {
        links.push_back(boost::json::object{
            {"name", link.name ? boost::json::value(*link.name) : boost::json::value(nullptr)},
            {"secret_id", link.secret_id}});
    }
    const std::string links_json = boost::json::serialize(links);
    const std::string created = core::formatSqlTimestamp(now);
    soci::indicator name_ind = indicatorOf(container.name);
    soci::indicator creator_ind = indicatorOf(container.creator_id);
    const std::string name = container.name.value_or("");
    const std::string creator = container.creator_id.value_or("");

    // Each link gets created_at = now + its position in microseconds, so the
    // container document lists the links in request order.
    sql << "WITH c AS (INSERT INTO containers (id, project_id, name, type, creator_id, status, created_at, updated_at)"
           " VALUES (CAST(:id AS uuid), :p, :n, :t, :cr, 'ACTIVE', CAST(:now AS timestamp), CAST(:now2 AS timestamp))"
           " RETURNING id) "
           "INSERT INTO container_secrets (container_id, secret_id, name, created_at)"
           " SELECT c.id, CAST(e.link->>'secret_id' AS uuid), e.link->>'name',"
           " CAST(:now3 AS timestamp) + e.position * interval '1 microsecond'"
           " FROM c CROSS JOIN jsonb_array_elements(CAST(:links AS jsonb)) WITH ORDINALITY AS e(link, position)",
        soci::use(container.id), soci::use(container.project_id), soci::use(name, name_ind),
        soci::use(container.type), soci::use(creator, creator_ind), soci::use(created), soci::use(created),
        soci::use(created), soci::use(links_json);
}

bool addContainerLink(soci::session& sql, const std::string& container_id, const std::string& secret_id,
                      const std::optional<std::string>& name) {
    const std::string name_value = name.value_or("");
    soci::indicator name_ind = indicatorOf(name);
    soci::statement statement =
        (sql.prepare << "INSERT INTO container_secrets (container_id, secret_id, name)"
                        " VALUES (CAST(:c AS uuid), CAST(:s AS uuid), :n) ON CONFLICT DO NOTHING",
         soci::use(container_id), soci::use(secret_id), soci::use(name_value, name_ind));
    statement.execute(true);
    return statement.get_affected_rows() > 0;
}

bool removeContainerLink(soci::session& sql, const std::string& container_id, const std::string& secret_id,
                         const std::optional<std::string>& name) {
    const std::string name_value = name.value_or("");
    soci::indicator name_ind = indicatorOf(name);
    soci::statement statement =
        (sql.prepare << "DELETE FROM container_secrets WHERE container_id = CAST(:c AS uuid)"
                        " AND secret_id = CAST(:s AS uuid) AND name IS NOT DISTINCT FROM CAST(:n AS varchar)",
         soci::use(container_id), soci::use(secret_id), soci::use(name_value, name_ind));
    statement.execute(true);
    return statement.get_affected_rows() > 0;
}

bool deleteContainer(soci::session& sql, const std::string& id, const std::string& project_id, core::Timestamp now) {
    const std::string deleted_at = core::formatSqlTimestamp(now);
    long long deleted = 0;
    sql << "WITH c AS (UPDATE containers SET deleted = true, deleted_at = CAST(:now AS timestamp),"
           " updated_at = CAST(:now2 AS timestamp)"
           " WHERE id = CAST(:id AS uuid) AND project_id = :p AND NOT deleted RETURNING id),"
           " l AS (DELETE FROM container_secrets WHERE container_id IN (SELECT id FROM c)),"
           " a AS (DELETE FROM container_acls WHERE container_id IN (SELECT id FROM c)),"
           " k AS (UPDATE container_consumers SET deleted = true, deleted_at = CAST(:now3 AS timestamp),"
           " updated_at = CAST(:now4 AS timestamp) WHERE container_id IN (SELECT id FROM c) AND NOT deleted)"
           " SELECT count(*) FROM c",
        soci::use(deleted_at), soci::use(deleted_at), soci::use(id), soci::use(project_id), soci::use(deleted_at),
        soci::use(deleted_at), soci::into(deleted);
    return deleted > 0;
}

}  // namespace db
