#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/timestamp.h"

namespace db {

// A container row with its secret links, as an asymmetric order creates it.
// `id` is a fresh UUID v4 chosen by the caller; the linked secrets must exist
// in the same project.
struct ContainerRecord {
    std::string id;
    std::string project_id;
    std::optional<std::string> name;
    std::string type;  // "rsa", "dsa", "generic", "certificate"
    std::optional<std::string> creator_id;
    // Link name ("private_key", ...) and secret id, in display order.
    std::vector<std::pair<std::string, std::string>> secrets;
};

// Inserts the container and its links in the caller's transaction. `now`
// becomes created and updated. Quotas are not checked: generated containers
// do not count against them at generation time.
void insertContainer(soci::session& sql, const ContainerRecord& container, core::Timestamp now);

}  // namespace db
