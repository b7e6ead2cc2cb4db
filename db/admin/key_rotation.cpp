#include "db/admin/key_rotation.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

#include "core/error.h"
#include "db/bytea.h"
#include "db/transaction.h"

namespace db::admin {
namespace {

// PostgreSQL array literal of `items`, every element quoted.
std::string arrayLiteral(const std::vector<std::string>& items) {
    std::string text = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) text += ',';
        text += '"';
        for (const char c : items[i]) {
            if (c == '"' || c == '\\') text += '\\';
            text += c;
        }
        text += '"';
    }
    return text + "}";
}

std::int64_t countRemaining(soci::session& sql, const std::string& master_key_id) {
    long long remaining = 0;
    sql << "SELECT count(*) FROM project_keys WHERE master_key_id <> :m", soci::use(master_key_id),
        soci::into(remaining);
    return remaining;
}

// Rewraps one batch in one transaction and returns the number of rows done.
std::size_t rewrapBatch(soci::session& sql, const core::Keyring& keyring, std::size_t batch_size) {
    const std::string& new_id = keyring.current().id();
    Transaction transaction(sql);
    std::vector<std::string> projects;
    std::vector<std::string> wrapped;
    {
        const int limit = static_cast<int>(batch_size);
        soci::rowset<soci::row> rows =
            (sql.prepare << "SELECT project_id, encode(wrapped_key, 'hex') FROM project_keys WHERE master_key_id <> :m"
                            " ORDER BY project_id LIMIT :n FOR UPDATE SKIP LOCKED",
             soci::use(new_id), soci::use(limit));
        for (const soci::row& row : rows) {
            const std::string project_id = row.get<std::string>(0);
            const std::string blob = hexDecode(row.get<std::string>(1));
            CryptoPP::SecByteBlock project_key;
            try {
                project_key = keyring.unwrapProjectKey(blob, project_id);
            } catch (const core::Error&) {
                throw core::Error(core::ErrorKind::Internal,
                                  "cannot unwrap the key of project '" + project_id + "' (master key id " +
                                      core::Keyring::wrappingKeyId(blob) +
                                      "): add that master key to crypto.previous_master_key_files and run again");
            }
            projects.push_back(project_id);
            wrapped.push_back(hexEncode(keyring.wrapProjectKey(project_key, project_id)));
        }
    }
    if (projects.empty()) return 0;
    const std::string project_array = arrayLiteral(projects);
    const std::string wrapped_array = arrayLiteral(wrapped);
    sql << "UPDATE project_keys AS k SET wrapped_key = decode(v.wrapped, 'hex'), master_key_id = :m,"
           " updated_at = (now() AT TIME ZONE 'utc')"
           " FROM unnest(CAST(:p AS text[]), CAST(:w AS text[])) AS v(project_id, wrapped)"
           " WHERE k.project_id = v.project_id",
        soci::use(new_id), soci::use(project_array), soci::use(wrapped_array);
    transaction.commit();
    return projects.size();
}

}  // namespace

RotationProgress rewrapProjectKeys(Database& database, const core::Keyring& keyring, std::size_t batch_size,
                                   int lock_wait_seconds,
                                   const std::function<void(const RotationProgress&)>& on_batch) {
    const std::string& new_id = keyring.current().id();
    RotationProgress progress;
    int waited_seconds = 0;
    while (true) {
        std::size_t done = 0;
        std::int64_t remaining = 0;
        database.run([&](soci::session& sql) {
            done = rewrapBatch(sql, keyring, batch_size);
            remaining = countRemaining(sql, new_id);
        });
        progress.rewrapped += static_cast<std::int64_t>(done);
        progress.total = progress.rewrapped + remaining;
        if (done > 0) on_batch(progress);
        if (remaining == 0) return progress;
        if (done == 0) {
            // Every remaining row is locked by another transaction, such as
            // a concurrent run.
            if (waited_seconds >= lock_wait_seconds) {
                throw core::Error(core::ErrorKind::Unavailable,
                                  std::to_string(remaining) +
                                      " project key(s) stayed locked by another transaction; run rotate-master-key again");
            }
            std::this_thread::sleep_for(std::chrono::seconds(1));
            ++waited_seconds;
        }
    }
}

int rotateMasterKey(const core::Config& config, const std::string& new_key_path, std::size_t batch_size) {
    core::MasterKey new_key = core::MasterKey::loadFile(new_key_path);
    std::vector<core::MasterKey> earlier;
    std::vector<std::string> paths = config.previous_master_key_files;
    paths.insert(paths.begin(), config.master_key_file);
    for (const std::string& path : paths) {
        core::MasterKey key = core::MasterKey::loadFile(path);
        if (key.id() != new_key.id()) earlier.push_back(std::move(key));
    }
    const core::Keyring keyring(std::move(new_key), std::move(earlier));

    Database database(DatabaseSettings{config.databaseConnectString(), config.redactedDsn(),
                                       std::max(config.statement_timeout_seconds, 600)});
    const RotationProgress progress =
        rewrapProjectKeys(database, keyring, batch_size, 60, [](const RotationProgress& step) {
            std::cerr << "rewrapped " << step.rewrapped << "/" << step.total << "\n";
        });
    std::cout << "rotate-master-key: " << progress.rewrapped << " project key(s) rewrapped; every project key is under"
              << " master key " << keyring.current().id() << "\n";
    return 0;
}

}  // namespace db::admin
