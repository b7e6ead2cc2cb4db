#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "core/timestamp.h"

namespace db {

// The two kinds of resource that carry a read ACL.
enum class AclResource { Secret, Container };

// A stored read ACL (tables secret_acls and container_acls).
struct StoredAcl {
    bool project_access = true;
    std::vector<std::string> users;
    std::string created;  // API timestamp text
    std::string updated;
};

// A live secret or container with what the policy needs about it.
struct AclSubject {
    std::string project_id;
    std::optional<std::string> creator_id;
    std::optional<StoredAcl> acl;  // std::nullopt: no ACL stored (the default)
};

// Looks up a secret or container by id in every project (ACL users of other
// projects must reach it) together with its read ACL, in one query.
// std::nullopt when the id is unknown, the resource is deleted, or, for a
// secret, it has expired. `id` must be a canonical UUID.
std::optional<AclSubject> findAclSubject(soci::session& sql, AclResource resource, const std::string& id);

// Stores the read ACL of a resource in one statement and sets the
// resource's updated time to `now`. A new ACL takes `project_access` and
// `users`, or true and an empty list where they are not given. An existing
// ACL changes only the values given and keeps its created time.
void upsertAcl(soci::session& sql, AclResource resource, const std::string& id, std::optional<bool> project_access,
               const std::optional<std::vector<std::string>>& users, core::Timestamp now);

// Removes the read ACL of a resource, if any. The resource's updated time
// stays as it is, as in Barbican.
void deleteAcl(soci::session& sql, AclResource resource, const std::string& id);

}  // namespace db
