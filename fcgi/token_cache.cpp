#include "fcgi/token_cache.h"

#include <cryptopp/sha.h>

namespace fcgi {

TokenCache::TokenCache(std::size_t max_entries, std::chrono::seconds lifetime)
    : max_entries_(max_entries), lifetime_(lifetime) {}

std::string TokenCache::keyOf(std::string_view token) {
    std::string digest(CryptoPP::SHA256::DIGESTSIZE, '\0');
    CryptoPP::SHA256().CalculateDigest(reinterpret_cast<CryptoPP::byte*>(digest.data()),
                                       reinterpret_cast<const CryptoPP::byte*>(token.data()), token.size());
    return digest;
}

std::optional<Identity> TokenCache::find(const std::string& key, Clock::time_point now) {
    const auto found = index_.find(key);
    if (found == index_.end()) return std::nullopt;
    const auto entry = found->second;
    if (now >= entry->valid_until) {
        entries_.erase(entry);
        index_.erase(found);
        return std::nullopt;
    }
    entries_.splice(entries_.begin(), entries_, entry);
    return entry->identity;
}

void TokenCache::insert(const std::string& key, Identity identity, Clock::time_point expires_at,
                        Clock::time_point now) {
    if (max_entries_ == 0) return;
    const Clock::time_point valid_until = std::min(now + lifetime_, expires_at);
    if (valid_until <= now) return;

    erase(key);
    while (index_.size() >= max_entries_) {
        index_.erase(entries_.back().key);
        entries_.pop_back();
    }
    entries_.push_front(Entry{key, std::move(identity), valid_until});
    index_.emplace(key, entries_.begin());
}

void TokenCache::erase(const std::string& key) {
    const auto found = index_.find(key);
    if (found == index_.end()) return;
    entries_.erase(found->second);
    index_.erase(found);
}

void TokenCache::clear() {
    entries_.clear();
    index_.clear();
}

}  // namespace fcgi
