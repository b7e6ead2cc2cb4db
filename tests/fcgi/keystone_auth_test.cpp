// fcgi::KeystoneAuth against FakeKeystone, a Keystone stand-in on loopback.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "core/config.h"
#include "core/error.h"
#include "fcgi/keystone_auth.h"
#include "tests/fcgi/fake_keystone.h"
#include "tests/support/stack.h"

using fcgi::KeystoneAuth;
using testsupport::FakeKeystone;
using testsupport::FakeToken;
using namespace std::chrono_literals;

namespace {

constexpr const char* kServicePassword = "service-secret";

// A password file that is removed with the object.
class PasswordFile {
public:
    explicit PasswordFile(const std::string& password) {
        char pattern[] = "/tmp/keystone-password-XXXXXX";
        const int fd = ::mkstemp(pattern);
        REQUIRE(fd >= 0);
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << password << "\n";
    }
    ~PasswordFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

core::Config configFor(const std::string& url, const std::string& password_file) {
    core::Config config;
    config.auth_mode = "keystone";
    config.keystone_auth_url = url;
    config.keystone_www_authenticate_uri = url;
    config.keystone_username = "barbican";
    config.keystone_password_file = password_file;
    config.keystone_project_name = "service";
    config.keystone_connect_timeout_ms = 1000;
    config.keystone_timeout_ms = 2000;
    config.keystone_cache_size = 100;
    config.keystone_cache_seconds = 300;
    return config;
}

FakeToken projectToken(const std::string& project, std::vector<std::string> roles,
                       std::chrono::seconds lifetime = 3600s) {
    return FakeToken{project, "user-of-" + project, std::move(roles), std::chrono::system_clock::now() + lifetime};
}

// Runs `call` and returns the kind of the core::Error it throws.
template <typename Call>
std::optional<core::ErrorKind> errorKindOf(Call call) {
    try {
        call();
    } catch (const core::Error& e) {
        return e.kind();
    }
    return std::nullopt;
}

struct Fixture {
    FakeKeystone keystone{"barbican", kServicePassword};
    PasswordFile password{kServicePassword};
    core::Config config = configFor(keystone.url(), password.path());
};

}  // namespace

TEST_CASE("keystone token body parsed", "[unit][fcgi]") {
    const auto token = fcgi::parseKeystoneToken(R"({"token": {
        "expires_at": "2031-01-02T03:04:05.000000Z", "issued_at": "2031-01-02T02:04:05.000000Z",
        "user": {"id": "u1", "name": "alice"}, "project": {"id": "p1", "name": "alpha"},
        "roles": [{"id": "r1", "name": "Creator"}, {"id": "r2", "name": "reader"}]}})");
    REQUIRE(token);
    CHECK(token->user_id == "u1");
    CHECK(token->project_id == std::optional<std::string>("p1"));
    CHECK(token->roles == std::vector<std::string>{"creator", "reader"});
    CHECK(token->expires_at - token->issued_at == std::chrono::hours(1));
}

TEST_CASE("keystone token body without project", "[unit][fcgi]") {
    const auto token = fcgi::parseKeystoneToken(
        R"({"token": {"expires_at": "2031-01-02T03:04:05Z", "user": {"id": "u1"}, "methods": ["password"]}})");
    REQUIRE(token);
    CHECK_FALSE(token->project_id);
    CHECK(token->roles.empty());
}

TEST_CASE("keystone token body rejected", "[unit][fcgi]") {
    CHECK_FALSE(fcgi::parseKeystoneToken("not json"));
    CHECK_FALSE(fcgi::parseKeystoneToken(R"({"error": {}})"));
    CHECK_FALSE(fcgi::parseKeystoneToken(R"({"token": {"expires_at": "2031-01-02T03:04:05Z"}})"));
    CHECK_FALSE(fcgi::parseKeystoneToken(R"({"token": {"expires_at": "soon", "user": {"id": "u1"}}})"));
    CHECK_FALSE(fcgi::parseKeystoneToken(R"({"token": {"user": {"id": "u1"}}})"));
}

TEST_CASE("keystone auth accepts valid token", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("user-token-1", projectToken("p1", {"Creator", "observer"}));
    KeystoneAuth auth(f.config);

    const auto identity = auth.authenticate("user-token-1");
    REQUIRE(identity);
    CHECK(identity->project_id == "p1");
    CHECK(identity->user_id == std::optional<std::string>("user-of-p1"));
    CHECK(identity->roles == std::vector<std::string>{"creator", "observer"});
    CHECK(auth.challenge() == "Keystone uri=\"" + f.keystone.url() + "\"");

    const auto requests = f.keystone.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].method == "POST");
    CHECK(requests[1].method == "GET");
    CHECK(requests[1].target == "/v3/auth/tokens?nocatalog");
    CHECK(requests[1].headers.at("x-subject-token") == "user-token-1");
    CHECK(requests[1].headers.at("x-auth-token") == "service-token-1");
}

TEST_CASE("keystone auth caches validation", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("user-token-1", projectToken("p1", {"admin"}));
    KeystoneAuth auth(f.config);

    REQUIRE(auth.authenticate("user-token-1"));
    REQUIRE(auth.authenticate("user-token-1"));
    CHECK(f.keystone.validations() == 1);
    CHECK(auth.cache().size() == 1);
}

TEST_CASE("keystone auth without cache validates each time", "[fcgi][keystone]") {
    Fixture f;
    f.config.keystone_cache_size = 0;
    f.keystone.addToken("user-token-1", projectToken("p1", {"admin"}));
    KeystoneAuth auth(f.config);

    REQUIRE(auth.authenticate("user-token-1"));
    REQUIRE(auth.authenticate("user-token-1"));
    CHECK(f.keystone.validations() == 2);
}

TEST_CASE("keystone auth rejects unknown token", "[fcgi][keystone]") {
    Fixture f;
    KeystoneAuth auth(f.config);

    CHECK_FALSE(auth.authenticate("no-such-token"));
    CHECK_FALSE(auth.authenticate("no-such-token"));
    CHECK(f.keystone.validations() == 2);
    CHECK(auth.cache().size() == 0);
}

TEST_CASE("keystone auth rejects unscoped token", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("unscoped", FakeToken{std::nullopt, "u1", {}, std::chrono::system_clock::now() + 1h});
    KeystoneAuth auth(f.config);

    CHECK_FALSE(auth.authenticate("unscoped"));
    CHECK(f.keystone.validations() == 1);
}

TEST_CASE("keystone auth rejects missing and malformed tokens", "[fcgi][keystone]") {
    Fixture f;
    KeystoneAuth auth(f.config);

    CHECK_FALSE(auth.authenticate(""));
    CHECK_FALSE(auth.authenticate("   "));
    CHECK_FALSE(auth.authenticate("two words"));
    CHECK_FALSE(auth.authenticate("line\r\nX-Injected: 1"));
    CHECK_FALSE(auth.authenticate(std::string(8193, 'a')));
    CHECK(f.keystone.requests().empty());
}

TEST_CASE("keystone auth reuses service token", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("t1", projectToken("p1", {"admin"}));
    f.keystone.addToken("t2", projectToken("p2", {"admin"}));
    f.keystone.addToken("t3", projectToken("p3", {"admin"}));
    KeystoneAuth auth(f.config);

    CHECK(auth.authenticate("t1"));
    CHECK(auth.authenticate("t2"));
    CHECK(auth.authenticate("t3"));
    CHECK(f.keystone.serviceTokensIssued() == 1);
}

TEST_CASE("keystone auth renews rejected service token", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("t1", projectToken("p1", {"admin"}));
    f.keystone.addToken("t2", projectToken("p2", {"admin"}));
    KeystoneAuth auth(f.config);

    REQUIRE(auth.authenticate("t1"));
    f.keystone.revokeServiceTokens();
    const auto identity = auth.authenticate("t2");
    REQUIRE(identity);
    CHECK(identity->project_id == "p2");
    CHECK(f.keystone.serviceTokensIssued() == 2);
}

TEST_CASE("keystone auth renews service token before expiry", "[fcgi][keystone]") {
    Fixture f;
    // Renewal happens after half the lifetime when that is under a minute.
    f.keystone.setServiceTokenLifetime(1000ms);
    f.keystone.addToken("t1", projectToken("p1", {"admin"}));
    f.keystone.addToken("t2", projectToken("p2", {"admin"}));
    KeystoneAuth auth(f.config);

    REQUIRE(auth.authenticate("t1"));
    std::this_thread::sleep_for(600ms);
    REQUIRE(auth.authenticate("t2"));
    CHECK(f.keystone.serviceTokensIssued() == 2);
}

TEST_CASE("keystone auth cache ends at token expiry", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("short", projectToken("p1", {"admin"}, 1s));
    KeystoneAuth auth(f.config);

    REQUIRE(auth.authenticate("short"));
    std::this_thread::sleep_for(1100ms);
    CHECK_FALSE(auth.authenticate("short"));
    CHECK(f.keystone.validations() == 2);
}

TEST_CASE("keystone auth revoked token ends with cache lifetime", "[fcgi][keystone]") {
    Fixture f;
    f.config.keystone_cache_seconds = 1;
    f.keystone.addToken("t1", projectToken("p1", {"admin"}));
    KeystoneAuth auth(f.config);

    REQUIRE(auth.authenticate("t1"));
    f.keystone.removeToken("t1");
    CHECK(auth.authenticate("t1"));  // still cached
    std::this_thread::sleep_for(1100ms);
    CHECK_FALSE(auth.authenticate("t1"));
}

TEST_CASE("keystone auth server error is unavailable", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("t1", projectToken("p1", {"admin"}));
    KeystoneAuth auth(f.config);
    REQUIRE(auth.authenticate("t1"));

    f.keystone.setFailureStatus(500);
    CHECK(errorKindOf([&] { auth.authenticate("t2"); }) == core::ErrorKind::Unavailable);
    CHECK(auth.authenticate("t1"));  // cached tokens keep working
}

TEST_CASE("keystone auth service user rejected is unavailable", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("t1", projectToken("p1", {"admin"}));
    PasswordFile wrong("wrong-password");
    f.config.keystone_password_file = wrong.path();
    KeystoneAuth auth(f.config);

    CHECK(errorKindOf([&] { auth.authenticate("t1"); }) == core::ErrorKind::Unavailable);
    CHECK(f.keystone.validations() == 0);
}

TEST_CASE("keystone auth forbidden service user is unavailable", "[fcgi][keystone]") {
    Fixture f;
    f.keystone.addToken("t1", projectToken("p1", {"admin"}));
    KeystoneAuth auth(f.config);
    REQUIRE(auth.authenticate("t1"));

    f.keystone.setFailureStatus(403);
    CHECK(errorKindOf([&] { auth.authenticate("t2"); }) == core::ErrorKind::Unavailable);
}

TEST_CASE("keystone auth missing password file is unavailable", "[fcgi][keystone]") {
    Fixture f;
    f.config.keystone_password_file = "/nonexistent/keystone.password";
    KeystoneAuth auth(f.config);

    CHECK(errorKindOf([&] { auth.authenticate("t1"); }) == core::ErrorKind::Unavailable);
    CHECK(f.keystone.requests().empty());
}

TEST_CASE("keystone auth unreachable is unavailable", "[fcgi][keystone]") {
    PasswordFile password(kServicePassword);
    const int closed_port = testsupport::freePort();
    core::Config config = configFor("http://127.0.0.1:" + std::to_string(closed_port), password.path());
    KeystoneAuth auth(config);

    CHECK(errorKindOf([&] { auth.authenticate("t1"); }) == core::ErrorKind::Unavailable);
}

TEST_CASE("keystone auth timeout is unavailable", "[fcgi][keystone]") {
    Fixture f;
    f.config.keystone_timeout_ms = 300;
    f.keystone.setDelay(1500ms);
    KeystoneAuth auth(f.config);

    const auto started = std::chrono::steady_clock::now();
    CHECK(errorKindOf([&] { auth.authenticate("t1"); }) == core::ErrorKind::Unavailable);
    CHECK(std::chrono::steady_clock::now() - started < 1200ms);
}
