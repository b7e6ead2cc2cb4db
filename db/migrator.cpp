#include "db/migrator.h"

#include "core/log.h"
#include "db/transaction.h"

namespace db {
namespace {

// Arbitrary constant naming this schema's advisory lock.
constexpr long long kMigrationLockKey = 7311002026;

void ensureVersionTable(soci::session& sql) {
    sql << "CREATE TABLE IF NOT EXISTS schema_migrations ("
           " version integer PRIMARY KEY,"
           " name varchar(255) NOT NULL,"
           " applied_at timestamp(6) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))";
}

int currentVersion(soci::session& sql) {
    int version = 0;
    soci::indicator ind = soci::i_ok;
    sql << "SELECT max(version) FROM schema_migrations", soci::into(version, ind);
    return ind == soci::i_ok ? version : 0;
}

int latestVersion() {
    const auto& all = embeddedMigrations();
    return all.empty() ? 0 : all.back().version;
}

}  // namespace

std::vector<int> upgradeSchema(soci::session& sql) {
    std::vector<int> applied;
    sql << "SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")";
    try {
        ensureVersionTable(sql);
        const int current = currentVersion(sql);
        for (const Migration& migration : embeddedMigrations()) {
            if (migration.version <= current) continue;
            Transaction tx(sql);
            sql << migration.sql;
            const std::string name = migration.name;
            sql << "INSERT INTO schema_migrations (version, name) VALUES (:v, :n)", soci::use(migration.version),
                soci::use(name);
            tx.commit();
            core::log::info("migration_applied").kv("version", migration.version).kv("name", name);
            applied.push_back(migration.version);
        }
    } catch (...) {
        try {
            sql << "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")";
        } catch (...) {
        }
        throw;
    }
    sql << "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")";
    return applied;
}

MigrationStatus schemaStatus(soci::session& sql) {
    MigrationStatus status;
    status.latest = latestVersion();
    int exists = 0;
    sql << "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'", soci::into(exists);
    status.current = exists ? currentVersion(sql) : 0;
    return status;
}

}  // namespace db
