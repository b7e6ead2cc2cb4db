#pragma once

// Reads and changes of stored secrets: lookup with the read ACL, listing
// with filters, the payload PUT, deletion, and payload decryption. Secret
// creation is db/secret_writer.h.

#include <cryptopp/secblock.h>
#include <soci/soci.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/query.h"
#include "core/secret_rules.h"
#include "core/timestamp.h"
#include "db/project_keys.h"

namespace db {

// A consumer registered on a secret, as the secret JSON shows it.
struct SecretConsumerRef {
    std::string service;
    std::string resource_type;
    std::string resource_id;
};

// One live (not deleted, not expired) secret with its read ACL. Timestamps
// are already in the API form.
struct SecretRow {
    std::string id;
    std::string project_id;
    std::optional<std::string> name;
    std::string secret_type;
    std::string status;
    std::optional<std::string> algorithm;
    std::optional<int> bit_length;
    std::optional<std::string> mode;
    std::optional<std::string> expiration;
    std::string created;
    std::string updated;
    std::optional<std::string> creator_id;
    // Stored payload type; none for a secret without payload.
    std::optional<std::string> content_type;

    // The read ACL: absent means project access with no extra users.
    bool has_acl = false;
    bool acl_project_access = true;
    std::vector<std::string> acl_users;

    // Filled only when requested through SecretLookup / SecretListQuery.
    std::vector<SecretConsumerRef> consumers;
    std::map<std::string, std::string> metadata;
    std::string ciphertext;  // stored bytes; empty without payload
};

// Optional parts a lookup also reads, in the same SQL statement.
struct SecretLookup {
    bool consumers = false;
    bool metadata = false;
    bool ciphertext = false;
};

// Loads the secret `id` with its read ACL, in any project, in one query.
// Returns std::nullopt when it does not exist, is deleted or has expired.
// `id` must be a canonical UUID.
std::optional<SecretRow> findSecret(soci::session& sql, const std::string& id, const SecretLookup& lookup = {});

// Filters of GET /v1/secrets. Empty optionals are not applied.
struct SecretListQuery {
    std::string project_id;
    // acl_only: every project's secrets whose read ACL lists this user
    // instead of the project's own secrets. A caller without user id
    // matches nothing.
    bool acl_only = false;
    std::optional<std::string> acl_user;
    std::optional<std::string> name;       // SQL LIKE pattern
    std::optional<std::string> algorithm;  // SQL LIKE pattern
    std::optional<std::string> mode;       // SQL LIKE pattern
    std::optional<std::int64_t> bit_length;
    std::optional<std::string> secret_type;
    core::DateFilter created;
    core::DateFilter updated;
    core::DateFilter expiration;
    std::vector<core::SortKey> sort;  // empty: created ascending
    std::int64_t offset = 0;
    std::int64_t limit = 10;
    bool consumers = false;  // also read each secret's consumers
};

struct SecretPage {
    std::vector<SecretRow> rows;
    std::int64_t total = 0;  // matching secrets on all pages
};

// Returns one page of live secrets matching `query`, and the total, in one
// SQL statement.
SecretPage listSecrets(soci::session& sql, const SecretListQuery& query);

enum class PayloadStoreResult { Stored, AlreadyHasPayload, NotFound };

// Stores the payload of a secret that has none yet (the payload PUT),
// encrypted under `key` and bound to the secret, its project and the stored
// content type. One statement: a concurrent PUT that won the race leaves
// AlreadyHasPayload, a concurrent delete NotFound.
PayloadStoreResult storePayload(soci::session& sql, const ProjectKeyStore::ProjectKey& key, const SecretRow& secret,
                                const core::SecretPayload& payload, core::Timestamp now);

enum class SecretDeleteResult { Deleted, HasConsumers, NotFound };

// Soft-deletes a secret and, in the same statement, removes its payload
// (ciphertext and content type set to NULL), user metadata, read ACL and
// container links, and soft-deletes its consumers. With
// `reject_with_consumers`, a secret that has live consumers is left as it
// is and HasConsumers is returned.
SecretDeleteResult deleteSecret(soci::session& sql, const std::string& id, bool reject_with_consumers,
                                core::Timestamp now);

// Decrypts the stored payload of `secret` with its project's key. Throws
// core::Error(Internal, "Decryption failed.") when the ciphertext names
// another project key or does not authenticate for this secret, project and
// content type (for example ciphertext copied from another row).
CryptoPP::SecByteBlock decryptSecretPayload(const ProjectKeyStore::ProjectKey& key, const SecretRow& secret);

// Whether a live transport key with this id exists.
bool transportKeyExists(soci::session& sql, const std::string& id);

}  // namespace db
