#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

// A user token known to FakeKeystone.
struct FakeToken {
    std::optional<std::string> project_id;  // none: an unscoped token
    std::string user_id;
    std::vector<std::string> roles;
    std::chrono::system_clock::time_point expires_at;
};

// One request as FakeKeystone received it; header names lower-case.
struct FakeRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;
    std::string body;
};

// A minimal Keystone v3 on 127.0.0.1 for unit tests of fcgi::KeystoneAuth:
// POST /v3/auth/tokens issues service tokens for one user and password, and
// GET /v3/auth/tokens validates user tokens sent with a current service
// token. One request per connection; every request is recorded.
class FakeKeystone {
public:
    FakeKeystone(std::string service_user, std::string service_password);
    ~FakeKeystone();
    FakeKeystone(const FakeKeystone&) = delete;
    FakeKeystone& operator=(const FakeKeystone&) = delete;

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    void addToken(const std::string& token, FakeToken data);
    void removeToken(const std::string& token);
    // Makes every service token issued so far invalid (401 on validation).
    void revokeServiceTokens();
    void setServiceTokenLifetime(std::chrono::milliseconds lifetime);
    // Status sent for every request instead of the normal response; 0: off.
    void setFailureStatus(int status);
    // Delay before each response is sent.
    void setDelay(std::chrono::milliseconds delay);

    int serviceTokensIssued() const;
    int validations() const;
    std::vector<FakeRequest> requests() const;

private:
    void serve();
    void handle(int client);
    std::string respond(const FakeRequest& request);

    std::string service_user_;
    std::string service_password_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;

    mutable std::mutex mutex_;
    std::map<std::string, FakeToken> tokens_;
    std::map<std::string, bool> service_tokens_;  // token -> still valid
    std::chrono::milliseconds service_lifetime_{std::chrono::hours(1)};
    int failure_status_ = 0;
    std::chrono::milliseconds delay_{0};
    int issued_ = 0;
    int validations_ = 0;
    std::vector<FakeRequest> requests_;
};

}  // namespace testsupport
