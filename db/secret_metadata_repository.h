#pragma once

// Writes of the user metadata of a secret (free key/value strings). Reads go
// through findSecret() with SecretLookup::metadata. Every function is one
// statement and changes nothing when the secret is already deleted.

#include <soci/soci.h>

#include <map>
#include <string>

#include "core/timestamp.h"

namespace db {

enum class MetadataWriteResult { Done, KeyConflict, KeyMissing, SecretMissing };

// Replaces the whole metadata set of the secret with `metadata`: keys not in
// it are removed, the others inserted or updated. Returns Done or
// SecretMissing.
MetadataWriteResult replaceSecretMetadata(soci::session& sql, const std::string& secret_id,
                                          const std::map<std::string, std::string>& metadata, core::Timestamp now);

// Adds one key. Returns KeyConflict when the key already exists.
MetadataWriteResult addSecretMetadatum(soci::session& sql, const std::string& secret_id, const std::string& key,
                                       const std::string& value, core::Timestamp now);

// Changes the value of an existing key. Returns KeyMissing when it is absent.
MetadataWriteResult updateSecretMetadatum(soci::session& sql, const std::string& secret_id, const std::string& key,
                                          const std::string& value, core::Timestamp now);

// Removes one key. An absent key is not an error.
void deleteSecretMetadatum(soci::session& sql, const std::string& secret_id, const std::string& key);

}  // namespace db
