#pragma once

// Reads and changes of containers and their secret links. Consumers of
// containers are db/consumer_repository.h.

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/container_rules.h"
#include "core/policy.h"
#include "core/timestamp.h"

namespace db {

// One live container with its live secret links (links to deleted secrets
// are left out), live consumers (by name) and, as the policy target, its
// owner and read ACL.
struct ContainerRow {
    core::ContainerRecord record;
    // project_id, creator_id, and from the read ACL (when one exists)
    // is_private = !project_access and acl_users = its users.
    core::policy::Target target;
};

// Loads the container `id` with its links, consumers and read ACL, in any
// project, in one query. std::nullopt when it does not exist or is deleted.
// `id` must be a canonical UUID.
std::optional<ContainerRow> findContainer(soci::session& sql, const std::string& id);

// Filters of GET /v1/containers; an empty string is not applied.
struct ContainerListQuery {
    std::string project_id;
    std::string name;  // SQL LIKE pattern
    std::string type;  // exact
    std::int64_t offset = 0;
    std::int64_t limit = 10;
};

struct ContainerPage {
    std::vector<ContainerRow> rows;
    std::int64_t total = 0;  // matching containers on all pages
};

// Returns one page of the project's live containers, oldest first, and the
// total. One query, plus a count query when the page is empty and offset > 0.
ContainerPage listContainers(soci::session& sql, const ContainerListQuery& query);

// Returns the positions in `secret_ids` of the ids that name no live
// (not deleted, not expired) secret of `project_id`. Ids that are not UUIDs
// never match. The secrets found are locked FOR SHARE until the transaction
// ends, so a concurrent secret deletion waits until the new links are
// committed and then removes them too.
std::vector<std::size_t> missingSecrets(soci::session& sql, const std::string& project_id,
                                        const std::vector<std::string>& secret_ids);

// A container to insert. `id` is a fresh UUID v4 chosen by the caller, and
// every link's secret id names an existing secret.
struct ContainerInsert {
    std::string id;
    std::string project_id;
    std::optional<std::string> name;
    std::string type;
    std::optional<std::string> creator_id;
    std::vector<core::ContainerRecord::Link> links;
};

// Inserts the container and its links in one statement; `now` becomes
// created and updated.
void insertContainer(soci::session& sql, const ContainerInsert& container, core::Timestamp now);

// Links `secret_id` under `name` to the container. Returns false, changing
// nothing, when the same secret is already linked under the same name.
// NULL and "" count as the same name (the unique index compares
// coalesce(name, '')).
bool addContainerLink(soci::session& sql, const std::string& container_id, const std::string& secret_id,
                      const std::optional<std::string>& name);

// Removes the link of `secret_id` whose name is exactly `name` (std::nullopt
// matches a link without name). Returns false when there is none.
bool removeContainerLink(soci::session& sql, const std::string& container_id, const std::string& secret_id,
                         const std::optional<std::string>& name);

// Soft-deletes the container of `project_id` and, in the same statement,
// removes its links and read ACL and soft-deletes its consumers. Returns
// false when the project has no such live container.
bool deleteContainer(soci::session& sql, const std::string& id, const std::string& project_id, core::Timestamp now);

}  // namespace db
