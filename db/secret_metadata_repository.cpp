#include "db/secret_metadata_repository.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace db {
namespace {

MetadataWriteResult resultOf(int written, int live, MetadataWriteResult otherwise) {
    if (written > 0) return MetadataWriteResult::Done;
    return live > 0 ? otherwise : MetadataWriteResult::SecretMissing;
}

}  // namespace

MetadataWriteResult replaceSecretMetadata(soci::session& sql, const std::string& secret_id,
                                          const std::map<std::string, std::string>& metadata, core::Timestamp now) {
    boost::json::object pairs;
    for (const auto& [key, value] : metadata) pairs[key] = value;
    const std::string pairs_json = boost::json::serialize(pairs);
    const std::string stamp = core::formatSqlTimestamp(now);
    int live = 0;
    // The live row is locked, so a replace that waits for a concurrent delete
    // of the secret writes nothing once that delete commits.
    sql << "WITH live AS (SELECT id FROM secrets WHERE id = CAST(:id AS uuid) AND NOT deleted FOR UPDATE),"
           " wanted AS (SELECT key, value FROM json_each_text(CAST(:pairs AS json))),"
           " dropped AS (DELETE FROM secret_user_metadata WHERE secret_id IN (SELECT id FROM live)"
           " AND key NOT IN (SELECT key FROM wanted)),"
           " written AS (INSERT INTO secret_user_metadata (secret_id, key, value, created_at, updated_at)"
           " SELECT live.id, wanted.key, wanted.value, CAST(:now AS timestamp), CAST(:now2 AS timestamp)"
           " FROM live, wanted ON CONFLICT (secret_id, key)"
           " DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at)"
           " SELECT count(*)::int FROM live",
        soci::use(secret_id), soci::use(pairs_json), soci::use(stamp), soci::use(stamp), soci::into(live);
    return live > 0 ? MetadataWriteResult::Done : MetadataWriteResult::SecretMissing;
}

MetadataWriteResult addSecretMetadatum(soci::session& sql, const std::string& secret_id, const std::string& key,
                                       const std::string& value, core::Timestamp now) {
    const std::string stamp = core::formatSqlTimestamp(now);
    int written = 0;
    int live = 0;
    sql << "WITH written AS (INSERT INTO secret_user_metadata (secret_id, key, value, created_at, updated_at)"
           " SELECT s.id, :key, :value, CAST(:now AS timestamp), CAST(:now2 AS timestamp) FROM secrets s"
           " WHERE s.id = CAST(:id AS uuid) AND NOT s.deleted ON CONFLICT (secret_id, key) DO NOTHING RETURNING 1)"
           " SELECT (SELECT count(*) FROM written)::int,"
           " (SELECT count(*) FROM secrets WHERE id = CAST(:id2 AS uuid) AND NOT deleted)::int",
        soci::use(key), soci::use(value), soci::use(stamp), soci::use(stamp), soci::use(secret_id),
        soci::use(secret_id), soci::into(written), soci::into(live);
    return resultOf(written, live, MetadataWriteResult::KeyConflict);
}

MetadataWriteResult updateSecretMetadatum(soci::session& sql, const std::string& secret_id, const std::string& key,
                                          const std::string& value, core::Timestamp now) {
    const std::string stamp = core::formatSqlTimestamp(now);
    int written = 0;
    int live = 0;
    sql << "WITH written AS (UPDATE secret_user_metadata m SET value = :value, updated_at = CAST(:now AS timestamp)"
           " FROM secrets s WHERE m.secret_id = CAST(:id AS uuid) AND m.key = :key AND s.id = m.secret_id"
           " AND NOT s.deleted RETURNING 1)"
           " SELECT (SELECT count(*) FROM written)::int,"
           " (SELECT count(*) FROM secrets WHERE id = CAST(:id2 AS uuid) AND NOT deleted)::int",
        soci::use(value), soci::use(stamp), soci::use(secret_id), soci::use(key), soci::use(secret_id),
        soci::into(written), soci::into(live);
    return resultOf(written, live, MetadataWriteResult::KeyMissing);
}

void deleteSecretMetadatum(soci::session& sql, const std::string& secret_id, const std::string& key) {
    sql << "DELETE FROM secret_user_metadata WHERE secret_id = CAST(:id AS uuid) AND key = :key", soci::use(secret_id),
        soci::use(key);
}

}  // namespace db
