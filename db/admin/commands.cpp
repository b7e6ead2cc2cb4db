#include "db/admin/commands.h"

#include <iostream>
#include <optional>
#include <stdexcept>

#include "core/query.h"
#include "db/admin/key_rotation.h"
#include "db/admin/purge.h"
#include "db/database.h"
#include "db/migrator.h"

namespace db::admin {

std::vector<core::ExtraFlag> extraFlags() {
    return {
        {"new-master-key-file", "rotate-master-key: path of the new master key (32 bytes, raw or base64, mode 0600)"},
        {"batch-size", "rotate-master-key: project keys rewrapped per transaction (default 100)"},
        {"older-than-days", "purge: remove rows soft-deleted more than this many days ago (0 or more)"},
    };
}

std::string extraUsage() {
    return "  rotate-master-key       rewrap every project key under --new-master-key-file\n"
           "  purge                   hard-delete rows soft-deleted more than --older-than-days days ago\n";
}

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

// Value of a program flag, or std::nullopt when it was not given.
std::optional<std::string> flagValue(const Flags& flags, const std::string& name) {
    for (const auto& [flag, value] : flags) {
        if (flag == name) return value;
    }
    return std::nullopt;
}

std::string requiredFlag(const Flags& flags, const std::string& name, const std::string& command) {
    std::optional<std::string> value = flagValue(flags, name);
    if (!value || value->empty()) throw std::runtime_error(command + " needs --" + name);
    return *value;
}

int rotateMasterKeyCommand(const core::Config& config, const Flags& flags) {
    const std::string path = requiredFlag(flags, "new-master-key-file", "rotate-master-key");
    std::size_t batch_size = 100;
    if (const auto text = flagValue(flags, "batch-size")) {
        const auto parsed = core::parsePythonInt(*text);
        if (!parsed || *parsed < 1 || *parsed > 100000)
            throw std::runtime_error("invalid --batch-size '" + *text + "': expected a number from 1 to 100000");
        batch_size = static_cast<std::size_t>(*parsed);
    }
    return rotateMasterKey(config, path, batch_size);
}

}  // namespace

int runCommand(const core::Config& config, const std::vector<std::string>& words, const Flags& flags) {
    if (words.size() == 2 && words[0] == "db" && words[1] == "upgrade") return dbUpgrade(config);
    if (words.size() == 2 && words[0] == "db" && words[1] == "current") return dbCurrent(config);
    if (words.size() == 1 && words[0] == "rotate-master-key") return rotateMasterKeyCommand(config, flags);
    if (words.size() == 1 && words[0] == "purge")
        return purge(config, requiredFlag(flags, "older-than-days", "purge"));
    std::string joined;
    for (const auto& w : words) joined += (joined.empty() ? "" : " ") + w;
    throw std::runtime_error("unknown command '" + joined + "'; see --help");
}

}  // namespace db::admin
