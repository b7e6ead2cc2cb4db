#include "db/secret_repository.h"

#include <boost/json/parse.hpp>

#include <functional>

#include "core/error.h"
#include "core/keyring.h"
#include "db/bytea.h"
#include "db/like_range.h"
#include "db/secret_writer.h"
#include "db/sql_time.h"
#include "db/statements.h"

namespace db {
namespace {

// Condition of a secret that the API can see.
constexpr const char* kLiveSecret =
    "NOT s.deleted AND (s.expiration IS NULL OR s.expiration > (now() AT TIME ZONE 'utc'))";

// Every column is read as text so that one row reader serves every query.
// The order matches readRow().
std::vector<std::string> selectColumns(const SecretLookup& parts) {
    std::vector<std::string> columns = {
        "s.id::text", "s.project_id", "s.name", "s.secret_type", "s.status", "s.algorithm", "s.bit_length::text",
        "s.mode", sqlTimestamp("s.expiration"), sqlTimestamp("s.created_at"), sqlTimestamp("s.updated_at"),
        "s.creator_id", "s.content_type", "(a.secret_id IS NOT NULL)::text", "a.project_access::text",
        "array_to_json(a.users)::text"};
    columns.push_back(parts.consumers
                          ? "(SELECT json_agg(json_build_object('service', c.service, 'resource_type', c.resource_type,"
                            " 'resource_id', c.resource_id) ORDER BY c.created_at, c.id)::text"
                            " FROM secret_consumers c WHERE c.secret_id = s.id AND NOT c.deleted)"
                          : "NULL::text");
    columns.push_back(parts.metadata ? "(SELECT json_object_agg(m.key, m.value)::text FROM secret_user_metadata m"
                                       " WHERE m.secret_id = s.id)"
                                     : "NULL::text");
    columns.push_back(parts.ciphertext ? "encode(s.ciphertext, 'hex')" : "NULL::text");
    return columns;
}

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

// Reads column `i` of a result row as text, or std::nullopt for NULL.
using ColumnReader = std::function<std::optional<std::string>(std::size_t)>;

SecretRow readRow(const ColumnReader& column) {
    auto required = [&](std::size_t i) { return column(i).value_or(std::string()); };
    SecretRow secret;
    secret.id = required(0);
    secret.project_id = required(1);
    secret.name = column(2);
    secret.secret_type = required(3);
    secret.status = required(4);
    secret.algorithm = column(5);
    if (const auto bits = column(6)) secret.bit_length = std::stoi(*bits);
    secret.mode = column(7);
    if (const auto expiration = column(8)) secret.expiration = apiTimestamp(*expiration);
    secret.created = apiTimestamp(required(9));
    secret.updated = apiTimestamp(required(10));
    secret.creator_id = column(11);
    secret.content_type = column(12);

    secret.has_acl = required(13) == "true";
    if (secret.has_acl) {
        secret.acl_project_access = required(14) == "true";
        if (const auto users_text = column(15)) {
            const boost::json::value users = boost::json::parse(*users_text);
            for (const auto& user : users.as_array()) secret.acl_users.emplace_back(user.as_string());
        }
    }

    if (const auto consumers_text = column(16)) {
        const boost::json::value consumers = boost::json::parse(*consumers_text);
        for (const auto& item : consumers.as_array()) {
            const auto& consumer = item.as_object();
            secret.consumers.push_back(SecretConsumerRef{std::string(consumer.at("service").as_string()),
                                                         std::string(consumer.at("resource_type").as_string()),
                                                         std::string(consumer.at("resource_id").as_string())});
        }
    }
    if (const auto metadata_text = column(17)) {
        const boost::json::value metadata = boost::json::parse(*metadata_text);
        for (const auto& member : metadata.as_object())
            secret.metadata.emplace(std::string(member.key()), std::string(member.value().as_string()));
    }
    if (const auto ciphertext = column(18)) secret.ciphertext = hexDecode(*ciphertext);
    return secret;
}

ColumnReader columnsOf(const soci::row& row) {
    return [&row](std::size_t i) { return textColumn(row, i); };
}

// Runs a query that returns one row and reads it with `read`.
template <typename Read>
bool readFirstRow(soci::session& sql, const std::string& text, const ParamList& params, Read read) {
    return queryOne(sql, text, params.values(), [&](const soci::row& row) { read(row); });
}

void addDateFilter(std::string& where, ParamList& builder, const char* column, const core::DateFilter& filter) {
    auto bound = [&](const std::optional<core::Timestamp>& value, const char* op) {
        if (!value) return;
        where += std::string(" AND ") + column + " " + op + " CAST(" + builder.add(core::formatSqlTimestamp(*value)) +
                 " AS timestamp)";
    };
    bound(filter.gt, ">");
    bound(filter.gte, ">=");
    bound(filter.lt, "<");
    bound(filter.lte, "<=");
    bound(filter.eq, "=");
}

const char* sortColumn(const std::string& key) {
    if (key == "created") return "s.created_at";
    if (key == "updated") return "s.updated_at";
    if (key == "expiration") return "s.expiration";
    if (key == "name") return "s.name";
    if (key == "mode") return "s.mode";
    if (key == "algorithm") return "s.algorithm";
    if (key == "bit_length") return "s.bit_length";
    if (key == "secret_type") return "s.secret_type";
    if (key == "status") return "s.status";
    throw core::Error(core::ErrorKind::Internal, "Unknown sort key.", "sort key " + key);
}

// The sort of a page: every requested key, then created and id, so ties
// keep a stable order and pages neither repeat nor skip rows.
struct PageOrder {
    std::string order_by;   // ORDER BY over the table columns
    std::string keys;       // the same columns as "sort0 .. sortN" of the page
    std::string agg_order;  // ORDER BY over those page columns
};

PageOrder pageOrder(const std::vector<core::SortKey>& sort) {
    std::vector<std::pair<std::string, bool>> columns;
    for (const auto& key : sort) columns.emplace_back(sortColumn(key.key), key.descending);
    columns.emplace_back("s.created_at", false);
    columns.emplace_back("s.id", false);
    PageOrder order;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const std::string direction = columns[i].second ? " DESC" : " ASC";
        const std::string alias = "sort" + std::to_string(i);
        const std::string separator = i == 0 ? "" : ", ";
        order.order_by += separator + columns[i].first + direction;
        order.keys += ", " + columns[i].first + " AS " + alias;
        order.agg_order += separator + "p." + alias + direction;
    }
    return order;
}

}  // namespace

std::optional<SecretRow> findSecret(soci::session& sql, const std::string& id, const SecretLookup& lookup) {
    ParamList builder;
    const std::string text = "SELECT " + joined(selectColumns(lookup)) +
                             " FROM secrets s LEFT JOIN secret_acls a ON a.secret_id = s.id"
                             " WHERE s.id = CAST(" + builder.add(id) + " AS uuid) AND " + kLiveSecret;
    std::optional<SecretRow> secret;
    readFirstRow(sql, text, builder, [&](const soci::row& row) { secret = readRow(columnsOf(row)); });
    return secret;
}

SecretPage listSecrets(soci::session& sql, const SecretListQuery& query) {
    ParamList builder;
    // The filter appears twice (count and page), each with its own parameters.
    auto filteredSecrets = [&]() {
        std::string text = std::string(" FROM secrets s LEFT JOIN secret_acls a ON a.secret_id = s.id WHERE ") +
                           kLiveSecret;
        if (query.acl_only) {
            // A caller without user id is in no ACL, so it matches nothing.
            text += " AND a.users @> ARRAY[CAST(" + builder.add(query.acl_user.value_or("")) + " AS varchar)]";
            if (!query.acl_user) text += " AND false";
        } else {
            text += " AND s.project_id = " + builder.add(query.project_id);
        }
        // ESCAPE '' makes a backslash an ordinary character, so only '%'
        // and '_' are wildcards and a pattern ending in a backslash is no
        // error.
        if (query.name) {
            text += " AND s.name LIKE " + builder.add(*query.name) + " ESCAPE ''";
            // The same filter as an index range a generic plan can use.
            if (const std::optional<LikeRange> range = likePrefixRange(*query.name)) {
                text += " AND s.name COLLATE \"C\" >= " + builder.add(range->lower);
                text += " AND s.name COLLATE \"C\" < " + builder.add(range->upper);
            }
        }
        if (query.algorithm) text += " AND s.algorithm LIKE " + builder.add(*query.algorithm) + " ESCAPE ''";
        if (query.mode) text += " AND s.mode LIKE " + builder.add(*query.mode) + " ESCAPE ''";
        if (query.bit_length)
            text += " AND s.bit_length = CAST(" + builder.add(std::to_string(*query.bit_length)) + " AS bigint)";
        if (query.secret_type) text += " AND s.secret_type = " + builder.add(*query.secret_type);
        addDateFilter(text, builder, "s.created_at", query.created);
        addDateFilter(text, builder, "s.updated_at", query.updated);
        addDateFilter(text, builder, "s.expiration", query.expiration);
        return text;
    };

    SecretLookup parts;
    parts.consumers = query.consumers;
    const PageOrder order = pageOrder(query.sort);
    // One statement: the total, and the page as a JSON array of rows, each
    // row an array of the text columns in page order. The page carries its
    // sort columns so the aggregate can order by them after the LIMIT.
    // Placeholders bind in the order they appear in the text, so each part
    // adds its parameters in a statement of its own, in text order.
    const std::string count_text = "SELECT count(*)" + filteredSecrets();
    const std::string page_where = filteredSecrets();
    // The limit is part of the text (a validated integer, so there are few
    // distinct texts), so the generic plan is made for that row count.
    const std::string offset = builder.add(std::to_string(query.offset));
    const std::string page_text = "SELECT json_build_array(" + joined(selectColumns(parts)) + ") AS item" + order.keys +
                                  page_where + " ORDER BY " + order.order_by + " OFFSET CAST(" + offset +
                                  " AS bigint) LIMIT " + std::to_string(query.limit);
    const std::string text = "SELECT (" + count_text + ")::text, (SELECT json_agg(p.item ORDER BY " + order.agg_order +
                             ")::text FROM (" + page_text + ") p)";
    std::string total;
    std::optional<std::string> items_text;
    readFirstRow(sql, text, builder, [&](const soci::row& row) {
        total = textColumn(row, 0).value_or("0");
        items_text = textColumn(row, 1);
    });

    SecretPage page;
    page.total = std::stoll(total);
    if (!items_text) return page;
    const boost::json::value items = boost::json::parse(*items_text);
    for (const auto& item : items.as_array()) {
        const boost::json::array& values = item.as_array();
        page.rows.push_back(readRow([&values](std::size_t i) -> std::optional<std::string> {
            if (values.at(i).is_null()) return std::nullopt;
            return std::string(values.at(i).as_string());
        }));
    }
    return page;
}

PayloadStoreResult storePayload(soci::session& sql, const ProjectKeyStore::ProjectKey& key, const SecretRow& secret,
                                const core::SecretPayload& payload, core::Timestamp now) {
    const std::string ciphertext_hex = encryptPayloadHex(key, secret.id, secret.project_id, payload);
    const std::string updated = core::formatSqlTimestamp(now);
    int stored = 0;
    int live = 0;
    // Both counts read the snapshot taken before the UPDATE.
    sql << "WITH u AS (UPDATE secrets SET ciphertext = decode(:ct, 'hex'), content_type = :ctype,"
           " updated_at = CAST(:now AS timestamp)"
           " WHERE id = CAST(:id AS uuid) AND NOT deleted AND ciphertext IS NULL RETURNING 1)"
           " SELECT (SELECT count(*) FROM u)::int,"
           " (SELECT count(*) FROM secrets WHERE id = CAST(:id2 AS uuid) AND NOT deleted)::int",
        soci::use(ciphertext_hex), soci::use(payload.content_type), soci::use(updated), soci::use(secret.id),
        soci::use(secret.id), soci::into(stored), soci::into(live);
    if (stored == 1) return PayloadStoreResult::Stored;
    return live == 1 ? PayloadStoreResult::AlreadyHasPayload : PayloadStoreResult::NotFound;
}

SecretDeleteResult deleteSecret(soci::session& sql, const std::string& id, bool reject_with_consumers,
                                core::Timestamp now) {
    const std::string deleted_at = core::formatSqlTimestamp(now);
    const int reject = reject_with_consumers ? 1 : 0;
    int deleted = 0;
    int live = 0;
    sql << "WITH s AS (UPDATE secrets SET deleted = true, deleted_at = CAST(:now AS timestamp),"
           " updated_at = CAST(:now2 AS timestamp), ciphertext = NULL, content_type = NULL"
           " WHERE id = CAST(:id AS uuid) AND NOT deleted AND (CAST(:reject AS integer) = 0 OR NOT EXISTS"
           " (SELECT 1 FROM secret_consumers c WHERE c.secret_id = secrets.id AND NOT c.deleted)) RETURNING id),"
           " gone_metadata AS (DELETE FROM secret_user_metadata WHERE secret_id IN (SELECT id FROM s)),"
           " gone_acl AS (DELETE FROM secret_acls WHERE secret_id IN (SELECT id FROM s)),"
           " gone_consumers AS (UPDATE secret_consumers SET deleted = true, deleted_at = CAST(:now3 AS timestamp),"
           " updated_at = CAST(:now4 AS timestamp) WHERE secret_id IN (SELECT id FROM s) AND NOT deleted),"
           " gone_links AS (DELETE FROM container_secrets WHERE secret_id IN (SELECT id FROM s))"
           " SELECT (SELECT count(*) FROM s)::int,"
           " (SELECT count(*) FROM secrets WHERE id = CAST(:id2 AS uuid) AND NOT deleted)::int",
        soci::use(deleted_at), soci::use(deleted_at), soci::use(id), soci::use(reject), soci::use(deleted_at),
        soci::use(deleted_at), soci::use(id), soci::into(deleted), soci::into(live);
    if (deleted == 1) return SecretDeleteResult::Deleted;
    return live == 1 && reject_with_consumers ? SecretDeleteResult::HasConsumers : SecretDeleteResult::NotFound;
}

CryptoPP::SecByteBlock decryptSecretPayload(const ProjectKeyStore::ProjectKey& key, const SecretRow& secret) {
    const std::optional<core::StoredCiphertext> parsed = core::parseStoredCiphertext(secret.ciphertext);
    if (!parsed || !secret.content_type || parsed->project_key_id != key.id) {
        throw core::Error(core::ErrorKind::Internal, "Decryption failed.",
                          "secret " + secret.id + ": stored payload is not under the project key " + key.id);
    }
    try {
        return core::decryptPayload(key.key, core::PayloadBinding{secret.id, secret.project_id, *secret.content_type},
                                    secret.ciphertext);
    } catch (const core::Error& e) {
        throw core::Error(core::ErrorKind::Internal, "Decryption failed.",
                          "secret " + secret.id + ": stored payload failed authentication");
    }
}

bool transportKeyExists(soci::session& sql, const std::string& id) {
    int count = 0;
    sql << "SELECT count(*)::int FROM transport_keys WHERE id = CAST(:id AS uuid) AND NOT deleted", soci::use(id),
        soci::into(count);
    return count > 0;
}

}  // namespace db
