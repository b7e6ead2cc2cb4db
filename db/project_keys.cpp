#include "db/project_keys.h"

#include "core/crypto.h"
#include "core/error.h"
#include "core/log.h"
#include "db/bytea.h"

namespace db {

ProjectKeyStore::ProjectKeyStore(const core::Keyring& keyring, std::chrono::seconds ttl, std::size_t max_entries)
    : keyring_(keyring), ttl_(ttl), max_entries_(max_entries) {}

void ProjectKeyStore::clear() { cache_.clear(); }

void ProjectKeyStore::evictIfFull() {
    if (cache_.size() < max_entries_) return;
    const auto now = std::chrono::steady_clock::now();
    for (auto it = cache_.begin(); it != cache_.end();) {
        if (it->second.expires <= now) it = cache_.erase(it);
        else ++it;
    }
    // Still full: drop everything rather than track recency; keys are
    // unwrapped again on demand.
    if (cache_.size() >= max_entries_) cache_.clear();
}

const ProjectKeyStore::ProjectKey& ProjectKeyStore::keyFor(soci::session& sql, const std::string& project_id) {
    const auto now = std::chrono::steady_clock::now();
    if (auto it = cache_.find(project_id); it != cache_.end()) {
        if (it->second.expires > now) return it->second.key;
        cache_.erase(it);
    }

    std::string key_id;
    std::string wrapped_hex;
    soci::indicator found = soci::i_null;
    sql << "SELECT id::text, encode(wrapped_key, 'hex') FROM project_keys WHERE project_id = :p", soci::use(project_id),
        soci::into(key_id, found), soci::into(wrapped_hex);
    if (!sql.got_data()) {
        // One statement creates the project row and its key; the unique
        // project_id makes a concurrent creator's insert a no-op.
        const CryptoPP::SecByteBlock fresh = core::Keyring::newProjectKey();
        const std::string fresh_id = core::newUuidV4();
        const std::string wrapped = keyring_.wrapProjectKey(fresh, project_id);
        const std::string hex = hexEncode(wrapped);
        const std::string master_id = keyring_.current().id();
        sql << "WITH p AS (INSERT INTO projects (id) VALUES (:p) ON CONFLICT DO NOTHING) "
               "INSERT INTO project_keys (id, project_id, wrapped_key, master_key_id) "
               "VALUES (CAST(:id AS uuid), :p2, decode(:w, 'hex'), :m) ON CONFLICT (project_id) DO NOTHING",
            soci::use(project_id), soci::use(fresh_id), soci::use(project_id), soci::use(hex), soci::use(master_id);
        sql << "SELECT id::text, encode(wrapped_key, 'hex') FROM project_keys WHERE project_id = :p",
            soci::use(project_id), soci::into(key_id, found), soci::into(wrapped_hex);
        if (!sql.got_data()) throw core::Error(core::ErrorKind::Internal, "Project key unavailable.", "insert lost");
        if (key_id == fresh_id) core::log::info("project_key_created").kv("project_id", project_id);
    }

    evictIfFull();
    Entry entry{ProjectKey{key_id, keyring_.unwrapProjectKey(hexDecode(wrapped_hex), project_id)}, now + ttl_};
    auto [it, inserted] = cache_.insert_or_assign(project_id, std::move(entry));
    return it->second.key;
}

}  // namespace db
