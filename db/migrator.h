#pragma once

#include <soci/soci.h>

#include <string>
#include <vector>

namespace db {

struct Migration {
    int version;
    const char* name;
    const char* sql;
};

// The numbered migrations compiled into the binary, in ascending order.
const std::vector<Migration>& embeddedMigrations();

struct MigrationStatus {
    int current = 0;  // highest applied version, 0 when none
    int latest = 0;   // highest version compiled into this binary
};

// Applies every migration newer than the recorded version, each in its own
// transaction, holding a PostgreSQL advisory lock so concurrent runs wait
// for each other. Returns the versions applied.
std::vector<int> upgradeSchema(soci::session& sql);

MigrationStatus schemaStatus(soci::session& sql);

}  // namespace db
