#include "db/consumer_repository.h"

#include <boost/json.hpp>

#include "core/crypto.h"
#include "db/sql_time.h"

namespace db {
namespace {

// Consumer rows have no status column: a live consumer is ACTIVE.
const std::string kContainerConsumerColumns = "k.id::text, k.project_id, k.name, k.url, 'ACTIVE', " +
                                              sqlTimestamp("k.created_at") + ", " + sqlTimestamp("k.updated_at");
const std::string kSecretConsumerColumns = "k.id::text, k.project_id, k.service, k.resource_type, k.resource_id,"
                                           " 'ACTIVE', " +
                                           sqlTimestamp("k.created_at") + ", " + sqlTimestamp("k.updated_at");
constexpr std::size_t kContainerConsumerWidth = 7;
constexpr std::size_t kSecretConsumerWidth = 8;

std::optional<std::string> textAt(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) return std::nullopt;
    return row.get<std::string>(i);
}

std::string requiredTextAt(const soci::row& row, std::size_t i) { return textAt(row, i).value_or(std::string()); }

ContainerConsumerRow readContainerConsumer(const soci::row& row) {
    return ContainerConsumerRow{requiredTextAt(row, 0),
                                requiredTextAt(row, 1),
                                requiredTextAt(row, 2),
                                requiredTextAt(row, 3),
                                requiredTextAt(row, 4),
                                apiTimestamp(requiredTextAt(row, 5)),
                                apiTimestamp(requiredTextAt(row, 6))};
}

SecretConsumerRow readSecretConsumer(const soci::row& row) {
    return SecretConsumerRow{requiredTextAt(row, 0),
                             requiredTextAt(row, 1),
                             requiredTextAt(row, 2),
                             requiredTextAt(row, 3),
                             requiredTextAt(row, 4),
                             requiredTextAt(row, 5),
                             apiTimestamp(requiredTextAt(row, 6)),
                             apiTimestamp(requiredTextAt(row, 7))};
}

// Runs a one-parameter page query whose last column is the window count,
// then a count query when the page is empty and offset > 0.
template <typename Row, typename Reader>
ConsumerPage<Row> readPage(soci::session& sql, const std::string& columns, const std::string& from_where,
                           const std::string& order, const std::string& parent_id, std::int64_t offset,
                           std::int64_t limit, std::size_t width, Reader reader) {
    ConsumerPage<Row> page;
    const std::string text = "SELECT " + columns + ", (count(*) OVER ())::text" + from_where + " ORDER BY " + order +
                             " LIMIT " + std::to_string(limit) + " OFFSET " + std::to_string(offset);
    {
        soci::rowset<soci::row> rows = (sql.prepare << text, soci::use(parent_id));
        for (const soci::row& row : rows) {
            page.rows.push_back(reader(row));
            page.total = std::stoll(requiredTextAt(row, width));
        }
    }
    if (page.rows.empty() && offset > 0) {
        long long total = 0;
        sql << "SELECT count(*)" + from_where, soci::use(parent_id), soci::into(total);
        page.total = total;
    }
    return page;
}

long long countOf(soci::session& sql, const std::string& text, const std::vector<std::string>& values) {
    soci::details::prepare_temp_type prepared = (sql.prepare << text);
    for (const std::string& value : values) prepared, soci::use(value);
    long long count = 0;
    prepared, soci::into(count);
    soci::statement statement(prepared);
    statement.execute(true);
    return count;
}

}  // namespace

ConsumerPage<ContainerConsumerRow> listContainerConsumers(soci::session& sql, const std::string& container_id,
                                                          std::int64_t offset, std::int64_t limit) {
    return readPage<ContainerConsumerRow>(
        sql, kContainerConsumerColumns,
        " FROM container_consumers k WHERE k.container_id = CAST(:c AS uuid) AND NOT k.deleted", "k.name, k.url, k.id",
        container_id, offset, limit, kContainerConsumerWidth, readContainerConsumer);
}

ConsumerPage<SecretConsumerRow> listSecretConsumers(soci::session& sql, const std::string& secret_id,
                                                    std::int64_t offset, std::int64_t limit) {
    return readPage<SecretConsumerRow>(
        sql, kSecretConsumerColumns,
        " FROM secret_consumers k WHERE k.secret_id = CAST(:s AS uuid) AND NOT k.deleted", "k.created_at, k.id",
        secret_id, offset, limit, kSecretConsumerWidth, readSecretConsumer);
}

std::optional<ContainerConsumerRow> findContainerConsumerById(soci::session& sql, const std::string& container_id,
                                                              const std::string& consumer_id) {
    std::optional<ContainerConsumerRow> found;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " + kContainerConsumerColumns +
                            " FROM container_consumers k WHERE k.id = CAST(:id AS uuid)"
                            " AND k.container_id = CAST(:c AS uuid) AND NOT k.deleted",
         soci::use(consumer_id), soci::use(container_id));
    for (const soci::row& row : rows) found = readContainerConsumer(row);
    return found;
}

std::optional<SecretConsumerRow> findSecretConsumerById(soci::session& sql, const std::string& secret_id,
                                                        const std::string& consumer_id) {
    std::optional<SecretConsumerRow> found;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " + kSecretConsumerColumns +
                            " FROM secret_consumers k WHERE k.id = CAST(:id AS uuid)"
                            " AND k.secret_id = CAST(:s AS uuid) AND NOT k.deleted",
         soci::use(consumer_id), soci::use(secret_id));
    for (const soci::row& row : rows) found = readSecretConsumer(row);
    return found;
}

bool registerContainerConsumer(soci::session& sql, const std::string& container_id, const std::string& project_id,
                               const core::ContainerConsumerBody& consumer, core::Timestamp now) {
    const std::string time = core::formatSqlTimestamp(now);
    // The DO UPDATE only touches a removed row, so RETURNING is empty for a
    // consumer that is already live. The parent's updated_at changes only
    // when r has a row.
    const std::string text =
        "WITH r AS (INSERT INTO container_consumers AS k"
        " (id, container_id, project_id, name, url, created_at, updated_at)"
        " VALUES (CAST(:id AS uuid), CAST(:c AS uuid), :p, :n, :u, CAST(:t1 AS timestamp), CAST(:t2 AS timestamp))"
        " ON CONFLICT (container_id, name, url) DO UPDATE SET deleted = false, deleted_at = NULL,"
        " project_id = EXCLUDED.project_id, updated_at = EXCLUDED.updated_at WHERE k.deleted RETURNING k.id),"
        " t AS (UPDATE containers SET updated_at = CAST(:t3 AS timestamp)"
        " WHERE id = CAST(:c2 AS uuid) AND EXISTS (SELECT 1 FROM r))"
        " SELECT count(*) FROM r";
    return countOf(sql, text,
                   {core::newUuidV4(), container_id, project_id, consumer.name, consumer.url, time, time, time,
                    container_id}) > 0;
}

bool registerSecretConsumer(soci::session& sql, const std::string& secret_id, const std::string& project_id,
                            const core::SecretConsumerBody& consumer, core::Timestamp now) {
    const std::string time = core::formatSqlTimestamp(now);
    const std::string text =
        "WITH r AS (INSERT INTO secret_consumers AS k"
        " (id, secret_id, project_id, service, resource_type, resource_id, created_at, updated_at)"
        " VALUES (CAST(:id AS uuid), CAST(:s AS uuid), :p, :sv, :rt, :ri, CAST(:t1 AS timestamp),"
        " CAST(:t2 AS timestamp))"
        " ON CONFLICT (secret_id, service, resource_type, resource_id) DO UPDATE SET deleted = false,"
        " deleted_at = NULL, project_id = EXCLUDED.project_id, updated_at = EXCLUDED.updated_at"
        " WHERE k.deleted RETURNING k.id),"
        " t AS (UPDATE secrets SET updated_at = CAST(:t3 AS timestamp)"
        " WHERE id = CAST(:s2 AS uuid) AND EXISTS (SELECT 1 FROM r))"
        " SELECT count(*) FROM r";
    return countOf(sql, text,
                   {core::newUuidV4(), secret_id, project_id, consumer.service, consumer.resource_type,
                    consumer.resource_id, time, time, time, secret_id}) > 0;
}

std::optional<ContainerConsumerRow> lockContainerConsumer(soci::session& sql, const std::string& container_id,
                                                          const core::ContainerConsumerBody& consumer) {
    std::optional<ContainerConsumerRow> found;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " + kContainerConsumerColumns +
                            " FROM container_consumers k WHERE k.container_id = CAST(:c AS uuid)"
                            " AND k.name = :n AND k.url = :u AND NOT k.deleted FOR UPDATE",
         soci::use(container_id), soci::use(consumer.name), soci::use(consumer.url));
    for (const soci::row& row : rows) found = readContainerConsumer(row);
    return found;
}

std::optional<SecretConsumerRow> lockSecretConsumer(soci::session& sql, const std::string& secret_id,
                                                    const core::SecretConsumerBody& consumer) {
    std::optional<SecretConsumerRow> found;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " + kSecretConsumerColumns +
                            " FROM secret_consumers k WHERE k.secret_id = CAST(:s AS uuid) AND k.service = :sv"
                            " AND k.resource_type = :rt AND k.resource_id = :ri AND NOT k.deleted FOR UPDATE",
         soci::use(secret_id), soci::use(consumer.service), soci::use(consumer.resource_type),
         soci::use(consumer.resource_id));
    for (const soci::row& row : rows) found = readSecretConsumer(row);
    return found;
}

void removeContainerConsumer(soci::session& sql, const std::string& id, core::Timestamp now) {
    const std::string time = core::formatSqlTimestamp(now);
    sql << "UPDATE container_consumers SET deleted = true, deleted_at = CAST(:t1 AS timestamp),"
           " updated_at = CAST(:t2 AS timestamp) WHERE id = CAST(:id AS uuid)",
        soci::use(time), soci::use(time), soci::use(id);
}

void removeSecretConsumer(soci::session& sql, const std::string& id, core::Timestamp now) {
    const std::string time = core::formatSqlTimestamp(now);
    sql << "UPDATE secret_consumers SET deleted = true, deleted_at = CAST(:t1 AS timestamp),"
           " updated_at = CAST(:t2 AS timestamp) WHERE id = CAST(:id AS uuid)",
        soci::use(time), soci::use(time), soci::use(id);
}

bool projectExists(soci::session& sql, const std::string& project_id) {
    return countOf(sql, "SELECT count(*) FROM projects WHERE id = :p", {project_id}) > 0;
}

std::optional<ConsumedSecret> findConsumedSecret(soci::session& sql, const std::string& id) {
    const std::string text =
        "SELECT s.id::text, s.project_id, s.name, s.secret_type, s.status, s.algorithm, s.bit_length::text, s.mode, " +
        sqlTimestamp("s.expiration") + ", " + sqlTimestamp("s.created_at") + ", " + sqlTimestamp("s.updated_at") +
        ", s.creator_id, s.content_type, (a.secret_id IS NOT NULL)::text, a.project_access::text,"
        " array_to_json(a.users)::text,"
        " (SELECT json_agg(json_build_object('service', k.service, 'resource_type', k.resource_type,"
        " 'resource_id', k.resource_id) ORDER BY k.created_at, k.id)::text"
        " FROM secret_consumers k WHERE k.secret_id = s.id AND NOT k.deleted)"
        " FROM secrets s LEFT JOIN secret_acls a ON a.secret_id = s.id"
        " WHERE s.id = CAST(:id AS uuid) AND NOT s.deleted"
        " AND (s.expiration IS NULL OR s.expiration > (now() AT TIME ZONE 'utc'))";
    std::optional<ConsumedSecret> found;
    soci::rowset<soci::row> rows = (sql.prepare << text, soci::use(id));
    for (const soci::row& row : rows) {
        ConsumedSecret secret;
        secret.id = requiredTextAt(row, 0);
        secret.project_id = requiredTextAt(row, 1);
        secret.name = textAt(row, 2);
        secret.secret_type = requiredTextAt(row, 3);
        secret.status = requiredTextAt(row, 4);
        secret.algorithm = textAt(row, 5);
        if (const auto bits = textAt(row, 6)) secret.bit_length = std::stoi(*bits);
        secret.mode = textAt(row, 7);
        if (const auto expiration = textAt(row, 8)) secret.expiration = apiTimestamp(*expiration);
        secret.created = apiTimestamp(requiredTextAt(row, 9));
        secret.updated = apiTimestamp(requiredTextAt(row, 10));
        secret.creator_id = textAt(row, 11);
        secret.content_type = textAt(row, 12);
        secret.target.project_id = secret.project_id;
        secret.target.creator_id = secret.creator_id;
        if (requiredTextAt(row, 13) == "true") {
            secret.target.is_private = requiredTextAt(row, 14) != "true";
            if (const auto users = textAt(row, 15)) {
                const boost::json::value parsed_users = boost::json::parse(*users);
                for (const auto& user : parsed_users.as_array())
                    secret.target.acl_users.emplace_back(user.as_string());
            }
        }
        if (const auto consumers = textAt(row, 16)) {
            const boost::json::value parsed_consumers = boost::json::parse(*consumers);
            for (const auto& item : parsed_consumers.as_array()) {
                const auto& consumer = item.as_object();
                secret.consumers.push_back(ConsumedSecret::Consumer{
                    std::string(consumer.at("service").as_string()),
                    std::string(consumer.at("resource_type").as_string()),
                    std::string(consumer.at("resource_id").as_string())});
            }
        }
        found = std::move(secret);
    }
    return found;
}

}  // namespace db
