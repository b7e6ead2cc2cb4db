#pragma once

#include <cryptopp/secblock.h>
#include <soci/soci.h>

#include <chrono>
#include <string>
#include <unordered_map>

#include "core/keyring.h"

namespace db {

// The per-project data-encryption keys: created on a project's first use,
// stored wrapped by the master key, and cached unwrapped in this process for
// a bounded time in wiping memory (SecByteBlock). Not thread-safe.
class ProjectKeyStore {
public:
    struct ProjectKey {
        std::string id;
        CryptoPP::SecByteBlock key;
    };

    ProjectKeyStore(const core::Keyring& keyring, std::chrono::seconds ttl, std::size_t max_entries = 10000);

    // Returns the project's key, creating the project row and its key first
    // when they do not exist. Concurrent first calls from many processes
    // create exactly one key. Commits on its own: call it before opening the
    // request's transaction, so a rolled-back request cannot leave a cached
    // key that was never stored.
    const ProjectKey& keyFor(soci::session& sql, const std::string& project_id);

    // Drops every cached key (wiping it).
    void clear();

private:
    struct Entry {
        ProjectKey key;
        std::chrono::steady_clock::time_point expires;
    };

    void evictIfFull();

    const core::Keyring& keyring_;
    std::chrono::seconds ttl_;
    std::size_t max_entries_;
    std::unordered_map<std::string, Entry> cache_;
};

}  // namespace db
