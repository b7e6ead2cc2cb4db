#pragma once

// Master key rotation: rewrapping every project key under a new master key.
//
// Operator procedure (the service keeps serving throughout, because workers
// cache unwrapped project keys and unwrap with any key of their keyring):
//  1. Create the new key file (mode 0600) and set it as
//     crypto.master_key_file; move the old key's path to
//     crypto.previous_master_key_files.
//  2. Send SIGHUP to barbican-fcgi, which replaces its workers with ones
//     that wrap new project keys under the new key and still unwrap old
//     ones, and restart barbican-job-runner.
//  3. Run `barbican-admin rotate-master-key --new-master-key-file PATH`. It
//     can be interrupted and run again: each batch commits on its own.
//  4. Once it reports nothing left, remove the old key from
//     crypto.previous_master_key_files, SIGHUP barbican-fcgi and restart the
//     job-runner again, then retire the old key file.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/config.h"
#include "core/keyring.h"
#include "db/database.h"

namespace db::admin {

struct RotationProgress {
    std::int64_t rewrapped = 0;  // project keys rewrapped by this run
    std::int64_t total = 0;      // rewrapped plus those still to do
};

// Rewraps every project key not yet under keyring.current(), `batch_size`
// rows per transaction. Each batch locks its rows with FOR UPDATE SKIP
// LOCKED, so concurrent runs share the work, and commits before the next
// begins. Rows locked by another transaction are waited for up to
// `lock_wait_seconds` in total. `on_batch` is called after every commit.
// Throws core::Error naming the project whose key no master key of
// `keyring` can unwrap; batches committed until then stay rewrapped.
RotationProgress rewrapProjectKeys(Database& database, const core::Keyring& keyring, std::size_t batch_size,
                                   int lock_wait_seconds,
                                   const std::function<void(const RotationProgress&)>& on_batch);

// The rotate-master-key command: loads the key at `new_key_path` as the
// current key and the configured master keys as earlier ones, rewraps, and
// prints "rewrapped N/M" to stderr after each batch. Returns the exit status.
int rotateMasterKey(const core::Config& config, const std::string& new_key_path, std::size_t batch_size);

}  // namespace db::admin
