#include "db/secret_writer.h"

#include "core/keyring.h"
#include "db/bytea.h"
#include "db/quota.h"
#include "db/statements.h"

namespace db {

std::string encryptPayloadHex(const ProjectKeyStore::ProjectKey& key, const std::string& secret_id,
                              const std::string& project_id, const core::SecretPayload& payload) {
    const core::PayloadBinding binding{secret_id, project_id, payload.content_type};
    return hexEncode(core::encryptPayload(key.key, key.id, binding, payload.bytes.data(), payload.bytes.size()));
}

namespace {

// The parameters of a secrets row, in the order of kInsertColumns.
SqlParams rowParams(const ProjectKeyStore::ProjectKey& key, const SecretRecord& record,
                    const core::SecretPayload* payload, core::Timestamp now) {
    std::optional<std::string> ciphertext_hex;
    std::optional<std::string> content_type;
    if (payload != nullptr) {
        ciphertext_hex = encryptPayloadHex(key, record.id, record.project_id, *payload);
        content_type = payload->content_type;
    }
    const std::string created = core::formatSqlTimestamp(now);
    return {record.id,
            record.project_id,
            record.name,
            record.secret_type,
            record.algorithm,
            record.bit_length ? std::optional<std::string>(std::to_string(*record.bit_length)) : std::nullopt,
            record.mode,
            record.expiration ? std::optional<std::string>(core::formatSqlTimestamp(*record.expiration)) : std::nullopt,
            record.creator_id,
            content_type,
            ciphertext_hex,
            created,
            created};
}

constexpr const char* kInsertColumns =
    "INSERT INTO secrets (id, project_id, name, secret_type, algorithm, bit_length, mode, expiration,"
    " creator_id, content_type, ciphertext, created_at, updated_at) ";
constexpr const char* kRowValues =
    "CAST(:p1 AS uuid), :p2, :p3, :p4, :p5, CAST(:p6 AS integer), :p7, CAST(:p8 AS timestamp), :p9,"
    " :p10, decode(:p11, 'hex'), CAST(:p12 AS timestamp), CAST(:p13 AS timestamp)";

}  // namespace

void insertSecret(soci::session& sql, const ProjectKeyStore::ProjectKey& key, const SecretRecord& record,
                  const core::SecretPayload* payload, core::Timestamp now) {
    executeStatement(sql, std::string(kInsertColumns) + "VALUES (" + kRowValues + ")",
                     rowParams(key, record, payload, now));
}

bool insertSecretAfter(soci::session& sql, const std::string& cte, SqlParams cte_params,
                       const ProjectKeyStore::ProjectKey& key, const SecretRecord& record,
                       const core::SecretPayload* payload, core::Timestamp now) {
    // Placeholders bind in the order they appear: the CTE's first.
    SqlParams params = std::move(cte_params);
    for (auto& value : rowParams(key, record, payload, now)) params.push_back(std::move(value));
    return executeStatement(sql, "WITH step AS (" + cte + ") " + kInsertColumns + "SELECT " + kRowValues + " FROM step",
                            params) == 1;
}

bool insertSecretWithoutProjectQuota(soci::session& sql, const ProjectKeyStore::ProjectKey& key,
                                     const SecretRecord& record, const core::SecretPayload* payload,
                                     core::Timestamp now) {
    SqlParams params = rowParams(key, record, payload, now);
    params.push_back(record.project_id);
    const long long inserted = executeStatement(
        sql,
        std::string(kInsertColumns) + "SELECT " + kRowValues + unlessProjectQuota(QuotaResource::Secrets, ":p14"),
        params);
    return inserted == 1;
}

}  // namespace db
