#include <catch2/catch.hpp>

#include "fcgi/token_cache.h"

using fcgi::Identity;
using fcgi::TokenCache;
using namespace std::chrono_literals;

namespace {

Identity identityOf(const std::string& project) {
    Identity identity;
    identity.project_id = project;
    identity.user_id = "user-" + project;
    identity.roles = {"creator"};
    return identity;
}

const TokenCache::Clock::time_point kStart = TokenCache::Clock::time_point{} + std::chrono::hours(24 * 365 * 50);

}  // namespace

TEST_CASE("token cache key is SHA-256", "[unit][fcgi]") {
    const std::string key = TokenCache::keyOf("abc");
    REQUIRE(key.size() == 32);
    const unsigned char expected[4] = {0xba, 0x78, 0x16, 0xbf};
    for (int i = 0; i < 4; ++i) CHECK(static_cast<unsigned char>(key[i]) == expected[i]);
    CHECK(TokenCache::keyOf("abd") != key);
}

TEST_CASE("token cache hit returns identity", "[unit][fcgi]") {
    TokenCache cache(10, 300s);
    const std::string key = TokenCache::keyOf("token-a");
    cache.insert(key, identityOf("p1"), kStart + 1h, kStart);

    const auto found = cache.find(key, kStart + 10s);
    REQUIRE(found);
    CHECK(found->project_id == "p1");
    CHECK(found->user_id == std::optional<std::string>("user-p1"));
    CHECK(found->roles == std::vector<std::string>{"creator"});
    CHECK_FALSE(cache.find(TokenCache::keyOf("token-b"), kStart + 10s));
}

TEST_CASE("token cache entry ends after lifetime", "[unit][fcgi]") {
    TokenCache cache(10, 30s);
    const std::string key = TokenCache::keyOf("token-a");
    cache.insert(key, identityOf("p1"), kStart + 1h, kStart);

    CHECK(cache.find(key, kStart + 29s));
    CHECK_FALSE(cache.find(key, kStart + 30s));
    CHECK(cache.size() == 0);
}

TEST_CASE("token cache entry ends at token expiry", "[unit][fcgi]") {
    TokenCache cache(10, 300s);
    const std::string key = TokenCache::keyOf("token-a");
    cache.insert(key, identityOf("p1"), kStart + 5s, kStart);

    CHECK(cache.find(key, kStart + 4s));
    CHECK_FALSE(cache.find(key, kStart + 5s));
}

TEST_CASE("token cache skips expired token", "[unit][fcgi]") {
    TokenCache cache(10, 300s);
    const std::string key = TokenCache::keyOf("token-a");
    cache.insert(key, identityOf("p1"), kStart, kStart);
    cache.insert(TokenCache::keyOf("token-b"), identityOf("p2"), kStart - 1s, kStart);

    CHECK(cache.size() == 0);
    CHECK_FALSE(cache.find(key, kStart));
}

TEST_CASE("token cache evicts least recently used", "[unit][fcgi]") {
    TokenCache cache(2, 300s);
    const std::string a = TokenCache::keyOf("token-a");
    const std::string b = TokenCache::keyOf("token-b");
    const std::string c = TokenCache::keyOf("token-c");
    cache.insert(a, identityOf("pa"), kStart + 1h, kStart);
    cache.insert(b, identityOf("pb"), kStart + 1h, kStart);
    REQUIRE(cache.find(a, kStart + 1s));  // a is now the most recently used
    cache.insert(c, identityOf("pc"), kStart + 1h, kStart + 2s);

    CHECK(cache.size() == 2);
    CHECK(cache.find(a, kStart + 3s));
    CHECK_FALSE(cache.find(b, kStart + 3s));
    CHECK(cache.find(c, kStart + 3s));
}

TEST_CASE("token cache insert replaces entry", "[unit][fcgi]") {
    TokenCache cache(2, 300s);
    const std::string key = TokenCache::keyOf("token-a");
    cache.insert(key, identityOf("old"), kStart + 1h, kStart);
    cache.insert(key, identityOf("new"), kStart + 1h, kStart + 1s);

    CHECK(cache.size() == 1);
    const auto found = cache.find(key, kStart + 2s);
    REQUIRE(found);
    CHECK(found->project_id == "new");
}

TEST_CASE("token cache size zero stores nothing", "[unit][fcgi]") {
    TokenCache cache(0, 300s);
    const std::string key = TokenCache::keyOf("token-a");
    cache.insert(key, identityOf("p1"), kStart + 1h, kStart);

    CHECK(cache.size() == 0);
    CHECK_FALSE(cache.find(key, kStart));
}

TEST_CASE("token cache erase and clear", "[unit][fcgi]") {
    TokenCache cache(10, 300s);
    const std::string a = TokenCache::keyOf("token-a");
    const std::string b = TokenCache::keyOf("token-b");
    cache.insert(a, identityOf("pa"), kStart + 1h, kStart);
    cache.insert(b, identityOf("pb"), kStart + 1h, kStart);

    cache.erase(a);
    CHECK_FALSE(cache.find(a, kStart));
    CHECK(cache.find(b, kStart));
    cache.clear();
    CHECK(cache.size() == 0);
}
