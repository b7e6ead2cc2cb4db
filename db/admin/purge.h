#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"
#include "db/database.h"

namespace db::admin {

// Rows removed by one purge, per table.
struct PurgeCounts {
    std::int64_t secret_consumers = 0;
    std::int64_t container_consumers = 0;
    std::int64_t secrets = 0;
    std::int64_t containers = 0;
    std::int64_t orders = 0;
    std::int64_t transport_keys = 0;
};

// Hard-deletes the rows soft-deleted more than `older_than_days` days ago
// (deleted_at before now minus that many days) in secret_consumers,
// container_consumers, secrets, containers, orders and transport_keys, one
// statement per table. Rows that reference a purged secret or container
// (metadata, ACLs, container links) go with it through ON DELETE CASCADE.
PurgeCounts purgeSoftDeleted(Database& database, int older_than_days);

// The purge command: parses `days_text` (a whole number, 0 or more), purges
// and prints the counts. Returns the exit status.
int purge(const core::Config& config, const std::string& days_text);

}  // namespace db::admin
