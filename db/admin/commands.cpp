#include "db/admin/commands.h"

#include <iostream>
#include <stdexcept>

#include "db/database.h"
#include "db/migrator.h"

namespace db::admin {

std::vector<core::ExtraFlag> extraFlags() { return {}; }

std::string extraUsage() { return ""; }

namespace {

Database openDatabase(const core::Config& config) {
    return Database(DatabaseSettings{config.databaseConnectString(), config.redactedDsn(),
                                     std::max(config.statement_timeout_seconds, 600)});
}

int dbUpgrade(const core::Config& config) {
    Database database = openDatabase(config);
    std::vector<int> applied;
    database.run([&](soci::session& sql) { applied = upgradeSchema(sql); });
    MigrationStatus status;
    database.run([&](soci::session& sql) { status = schemaStatus(sql); });
    std::cout << "schema at version " << status.current << " (" << applied.size() << " migration(s) applied)\n";
    return 0;
}

int dbCurrent(const core::Config& config) {
    Database database = openDatabase(config);
    MigrationStatus status;
    database.run([&](soci::session& sql) { status = schemaStatus(sql); });
    std::cout << "current " << status.current << "\nlatest " << status.latest << "\n";
    return status.current == status.latest ? 0 : 3;
}

}  // namespace

int runCommand(const core::Config& config, const std::vector<std::string>& words, const Flags& flags) {
    (void)flags;
    if (words.size() == 2 && words[0] == "db" && words[1] == "upgrade") return dbUpgrade(config);
    if (words.size() == 2 && words[0] == "db" && words[1] == "current") return dbCurrent(config);
    std::string joined;
    for (const auto& w : words) joined += (joined.empty() ? "" : " ") + w;
    throw std::runtime_error("unknown command '" + joined + "'; see --help");
}

}  // namespace db::admin
