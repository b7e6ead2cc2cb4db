#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fcgi/http.h"

namespace fcgi {

// Identities of validated Keystone tokens, owned by one worker. Entries are
// keyed by the SHA-256 digest of the token, so the cache never stores a
// token. An entry lives for the configured lifetime but never past the
// token's own expiry, and the least recently used entry is evicted when the
// cache is full. Not thread-safe.
class TokenCache {
public:
    using Clock = std::chrono::system_clock;

    // max_entries 0 disables the cache: find() then always misses.
    TokenCache(std::size_t max_entries, std::chrono::seconds lifetime);

    // The cache key of a token: its SHA-256 digest, 32 raw bytes.
    static std::string keyOf(std::string_view token);

    // The identity cached under `key`, unless missing or expired at `now`.
    // An expired entry is removed.
    std::optional<Identity> find(const std::string& key, Clock::time_point now);

    // Stores `identity` under `key` until min(now + lifetime, expires_at).
    // Does nothing when that moment is not after `now`.
    void insert(const std::string& key, Identity identity, Clock::time_point expires_at, Clock::time_point now);

    void erase(const std::string& key);
    void clear();
    std::size_t size() const { return index_.size(); }

private:
    struct Entry {
        std::string key;
        Identity identity;
        Clock::time_point valid_until;
    };

    std::size_t max_entries_;
    std::chrono::seconds lifetime_;
    std::list<Entry> entries_;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace fcgi
