#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "fcgi/curl_client.h"
#include "fcgi/http.h"
#include "fcgi/token_cache.h"

namespace fcgi {

// The fields of a Keystone v3 token that identify the caller.
struct KeystoneToken {
    std::optional<std::string> project_id;  // missing for unscoped, domain and system tokens
    std::string user_id;
    std::vector<std::string> roles;  // names, lower-cased
    std::chrono::system_clock::time_point issued_at;
    std::chrono::system_clock::time_point expires_at;
};

// Parses the body of a Keystone v3 token response ({"token": {...}}).
// Returns std::nullopt when the body is not such a token: no user id, or a
// missing or unreadable expires_at.
std::optional<KeystoneToken> parseKeystoneToken(std::string_view body);

// Authenticates requests with Keystone tokens, as keystonemiddleware's
// auth_token does for Barbican: the client's X-Auth-Token is validated with
// GET {auth_url}/v3/auth/tokens, sent with a token of the service user, and
// the result is cached in a TokenCache. One instance per worker process.
class KeystoneAuth {
public:
    explicit KeystoneAuth(const core::Config& config);

    // Returns the identity behind `token`, or std::nullopt when the token is
    // missing, malformed, invalid, expired, revoked or not scoped to a
    // project. Throws core::Error(Unavailable) when Keystone cannot be
    // reached, fails, or rejects the service user, so that no request passes
    // unauthenticated.
    std::optional<Identity> authenticate(std::string_view token);

    // Value of the WWW-Authenticate header of a 401: Keystone uri="...".
    const std::string& challenge() const { return challenge_; }

    TokenCache& cache() { return cache_; }

private:
    using Clock = std::chrono::system_clock;

    std::optional<Identity> validate(std::string_view token, const std::string& key, Clock::time_point now);
    CurlResponse requestValidation(std::string_view token);
    void ensureServiceToken(Clock::time_point now);
    void issueServiceToken();
    std::string readServicePassword() const;

    const core::Config& config_;
    std::string tokens_url_;
    std::string challenge_;
    CurlClient http_;
    TokenCache cache_;

    std::string service_token_;
    Clock::time_point service_renew_at_{};
};

}  // namespace fcgi
