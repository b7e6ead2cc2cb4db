#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>

#include "core/secret_rules.h"
#include "core/timestamp.h"
#include "db/project_keys.h"
#include "db/statements.h"

namespace db {

// A secret row to insert. `id` is a fresh UUID v4 chosen by the caller.
struct SecretRecord {
    std::string id;
    std::string project_id;
    std::optional<std::string> name;
    std::string secret_type = "opaque";
    std::optional<std::string> algorithm;
    std::optional<int> bit_length;
    std::optional<std::string> mode;
    std::optional<core::Timestamp> expiration;
    std::optional<std::string> creator_id;
};

// Inserts a secret, with its payload encrypted under `key` and bound to the
// secret id, project and stored content type. Runs inside the caller's
// transaction; `key` comes from ProjectKeyStore::keyFor, called before that
// transaction was opened. `now` becomes created and updated.
void insertSecret(soci::session& sql, const ProjectKeyStore::ProjectKey& key, const SecretRecord& record,
                  const core::SecretPayload* payload, core::Timestamp now);

// Inserts a secret in one autocommitted statement unless the project has
// its own secrets quota (a project_quotas row with secrets >= 0); returns
// whether it inserted. For callers whose configured default secrets quota
// is unlimited: when this returns false, the caller runs the quota check and
// insertSecret() in a transaction instead. Call it outside a transaction
// only in that sense: it is one statement and needs no other.
bool insertSecretWithoutProjectQuota(soci::session& sql, const ProjectKeyStore::ProjectKey& key,
                                     const SecretRecord& record, const core::SecretPayload* payload,
                                     core::Timestamp now);

// Runs the data-modifying `cte` (a statement with RETURNING whose
// placeholders bind `cte_params`) and, in the same statement, inserts the
// secret only when the CTE returned a row. Returns whether it inserted.
bool insertSecretAfter(soci::session& sql, const std::string& cte, SqlParams cte_params,
                       const ProjectKeyStore::ProjectKey& key, const SecretRecord& record,
                       const core::SecretPayload* payload, core::Timestamp now);

// Encrypts a payload for the secret `secret_id` of `project_id` and returns
// the stored bytes as hex, ready for "decode(:x, 'hex')".
std::string encryptPayloadHex(const ProjectKeyStore::ProjectKey& key, const std::string& secret_id,
                              const std::string& project_id, const core::SecretPayload& payload);

}  // namespace db
