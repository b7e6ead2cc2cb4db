// auth.mode = keystone against a real Keystone (scripts/keystone.sh) and a
// private stack in keystone mode, through nginx. The test cases share one
// Keystone and one stack and run in the order of this file: the last one
// stops Keystone.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <signal.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/timestamp.h"
#include "tests/support/api.h"
#include "tests/support/http_client.h"
#include "tests/support/stack.h"

using testsupport::Headers;
using testsupport::HttpClient;
using testsupport::HttpResponse;
using testsupport::runCommand;
using namespace std::chrono_literals;

namespace {

// keystone.cache_seconds of the stack: a revoked token stops working after
// at most this long.
constexpr int kCacheSeconds = 3;
// Lifetime of the application credential whose token the expiry test uses.
constexpr int kShortTokenSeconds = 30;

struct IssuedToken {
    std::string value;
    std::chrono::system_clock::time_point expires_at;
};

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A new folder in $BARBICAN_TEST_STATE when set (scripts/run_tests.sh removes
// it after a passing run), else in /tmp.
std::string makeTempDir(const char* prefix) {
    const char* state = std::getenv("BARBICAN_TEST_STATE");
    std::string pattern = std::string(state ? state : "/tmp") + "/" + prefix + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

// Folder of the binaries under test, as TestStack finds it.
std::string binDir() {
    if (const char* bin = std::getenv("BARBICAN_BIN_DIR")) return bin;
    return testsupport::repositoryRoot() + "/build/bin";
}

std::string shellQuote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += "'\\''";
        else out.push_back(c);
    }
    return out + "'";
}

// Keystone from scripts/keystone.sh plus a stack in keystone mode from
// scripts/stack.sh, started once and stopped when the test process exits.
// NOTE: a crash of the test process skips the destructor, and both keep
// running; stop them with scripts/stack.sh stop and scripts/keystone.sh stop.
class KeystoneEnvironment {
public:
    // Starts the environment on the first call. A failed start is not tried
    // again: later calls throw the same error at once.
    static KeystoneEnvironment& get() {
        static std::unique_ptr<KeystoneEnvironment> environment;
        static std::string failure;
        if (!failure.empty()) throw std::runtime_error(failure);
        if (!environment) {
            try {
                environment.reset(new KeystoneEnvironment());
            } catch (const std::exception& e) {
                failure = e.what();
                throw;
            }
        }
        return *environment;
    }

    HttpClient api() const { return HttpClient(api_port_, 60); }
    HttpClient identity() const { return HttpClient(keystone_port_, 60); }
    std::string keystoneUrl() const { return "http://127.0.0.1:" + std::to_string(keystone_port_); }
    std::string apiUrl() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
    std::string password() const { return std::string(fixture_.at("password").as_string()); }
    std::string projectId(const std::string& name) const {
        return std::string(fixture_.at("projects").at(name).as_string());
    }
    std::string userId(const std::string& name) const {
        return std::string(fixture_.at("users").at(name).at("id").as_string());
    }
    const std::string& stackDir() const { return stack_dir_; }
    const std::string& keystoneDir() const { return keystone_dir_; }

    // A token of `user`, scoped to `project` unless it is empty.
    IssuedToken issueToken(const std::string& user, const std::string& password, const std::string& project) const {
        boost::json::object identity{{"methods", boost::json::array{"password"}},
                                     {"password", {{"user", {{"name", user}, {"domain", {{"id", "default"}}},
                                                             {"password", password}}}}}};
        boost::json::object auth{{"identity", std::move(identity)}};
        if (!project.empty()) auth["scope"] = {{"project", {{"name", project}, {"domain", {{"id", "default"}}}}}};
        const HttpResponse response =
            this->identity().request("POST", "/v3/auth/tokens", {{"Content-Type", "application/json"}},
                                     boost::json::serialize(boost::json::object{{"auth", std::move(auth)}}));
        INFO("POST /v3/auth/tokens for " << user << ": " << response.body);
        REQUIRE(response.status == 201);
        const auto expires = core::parseIso8601(std::string(response.json().at("token").at("expires_at").as_string()));
        REQUIRE(expires);
        return IssuedToken{response.header("x-subject-token"),
                           std::chrono::time_point_cast<std::chrono::system_clock::duration>(*expires)};
    }

    // A new token of a fixture user, scoped to the user's project if any.
    IssuedToken freshToken(const std::string& user) const {
        const auto& entry = fixture_.at("users").at(user).as_object();
        const std::string project = entry.at("project").is_string() ? std::string(entry.at("project").as_string()) : "";
        return issueToken(user, password(), project);
    }

    // A token of a fixture user, issued once and then reused.
    const std::string& userToken(const std::string& user) {
        auto found = tokens_.find(user);
        if (found == tokens_.end()) found = tokens_.emplace(user, freshToken(user).value).first;
        return found->second;
    }

    IssuedToken adminToken() const { return issueToken("admin", admin_password_, "admin"); }

    // A token of alpha-admin that expires kShortTokenSeconds after the
    // environment started: Keystone caps the expiry of a token issued for an
    // application credential at the credential's expires_at.
    const IssuedToken& shortToken() const { return short_token_; }

    int keystoneCommand(const std::string& command) const {
        int status = 0;
        runCommand("cd " + shellQuote(testsupport::repositoryRoot()) + " && scripts/keystone.sh " + command + " " +
                       shellQuote(keystone_dir_) + (command == "start" ? " " + std::to_string(keystone_port_) : "") +
                       " >> " + shellQuote(keystone_dir_ + "/keystone-sh.out") + " 2>&1",
                   &status);
        return status;
    }

    // Runs "scripts/stack.sh COMMAND DIR [SERVICE]" with the keystone-mode
    // overrides and returns its exit status.
    int stackCommand(const std::string& command, const std::string& service = {}) const {
        const std::string overrides =
            "auth.mode=keystone keystone.auth_url=" + keystoneUrl() + " keystone.username=barbican" +
            " keystone.password_file=" + keystone_dir_ + "/barbican.password keystone.project_name=service" +
            " keystone.cache_seconds=" + std::to_string(kCacheSeconds) + " keystone.timeout_ms=30000";
        int status = 0;
        runCommand("cd " + shellQuote(testsupport::repositoryRoot()) + " && PORT=" + std::to_string(api_port_) +
                       " WORKERS=2 BIN_DIR=" + shellQuote(binDir()) +
                       " CONF_OVERRIDES=" + shellQuote(overrides) + " scripts/stack.sh " + command + " " +
                       shellQuote(stack_dir_) + (service.empty() ? "" : " " + service) + " >> " +
                       shellQuote(stack_dir_ + "/stack-sh.out") + " 2>&1",
                   &status);
        return status;
    }

    std::string sql(const std::string& statement) const {
        std::string out = runCommand("psql -X -q -t -A -v ON_ERROR_STOP=1 -h " + shellQuote(stack_dir_ + "/pg/socket") +
                                     " -U barbican -d barbican -c " + shellQuote(statement) + " 2>&1");
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }

    ~KeystoneEnvironment() { stopAll(); }

private:
    KeystoneEnvironment() {
        try {
            start();
        } catch (...) {
            stopAll();
            throw;
        }
    }

    void stopAll() const {
        stackCommand("stop");
        keystoneCommand("stop");
        // scripts/stack.sh puts the PostgreSQL cluster in /var/tmp when its
        // user cannot reach the stack folder, and links it from DIR/pg.
        runCommand("pg=" + shellQuote(stack_dir_ + "/pg") +
                   "; if [ -L \"$pg\" ]; then rm -rf -- \"$(readlink \"$pg\")\" \"$pg\"; fi");
    }

    void start() {
        keystone_dir_ = makeTempDir("barbican-keystone");
        stack_dir_ = makeTempDir("barbican-keystone-stack");
        keystone_port_ = testsupport::freePort();
        api_port_ = testsupport::freePort();

        // Keystone's first start (database, bootstrap, fixture) is the
        // slow part, so the stack starts meanwhile.
        int keystone_status = -1;
        std::thread keystone([&] {
            int status = 0;
            runCommand("cd " + shellQuote(testsupport::repositoryRoot()) + " && START_TIMEOUT=180 scripts/keystone.sh start " +
                           shellQuote(keystone_dir_) + " " + std::to_string(keystone_port_) + " > " +
                           shellQuote(keystone_dir_ + "/keystone-sh.out") + " 2>&1",
                       &status);
            keystone_status = status;
        });
        const int stack_status = stackCommand("start");
        keystone.join();
        if (keystone_status != 0)
            throw std::runtime_error("scripts/keystone.sh start failed:\n" + readFile(keystone_dir_ + "/keystone-sh.out"));
        if (stack_status != 0)
            throw std::runtime_error("scripts/stack.sh start failed:\n" + readFile(stack_dir_ + "/stack-sh.out"));

        fixture_ = boost::json::parse(readFile(keystone_dir_ + "/fixture.json")).as_object();
        admin_password_ = std::string(fixture_.at("admin_password").as_string());
        registerKeyManagerEndpoint();
        short_token_ = applicationCredentialToken("alpha-admin", kShortTokenSeconds);
    }

    // Creates an application credential of `user` that expires in `seconds`
    // and returns a token issued for it.
    IssuedToken applicationCredentialToken(const std::string& user, int seconds) {
        const auto expires = std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now() + std::chrono::seconds(seconds));
        boost::json::object credential{{"name", "short-lived"}, {"expires_at", core::formatTimestamp(expires) + "Z"}};
        const HttpResponse created = identity().request(
            "POST", "/v3/users/" + userId(user) + "/application_credentials",
            {{"X-Auth-Token", userToken(user)}, {"Content-Type", "application/json"}},
            boost::json::serialize(boost::json::object{{"application_credential", credential}}));
        if (created.status != 201)
            throw std::runtime_error("POST application_credentials failed: " + created.body);
        const boost::json::value created_body = created.json();
        const auto& entry = created_body.at("application_credential");

        boost::json::object auth{{"identity", {{"methods", boost::json::array{"application_credential"}},
                                               {"application_credential", {{"id", entry.at("id")},
                                                                           {"secret", entry.at("secret")}}}}}};
        const HttpResponse response =
            identity().request("POST", "/v3/auth/tokens", {{"Content-Type", "application/json"}},
                               boost::json::serialize(boost::json::object{{"auth", std::move(auth)}}));
        if (response.status != 201)
            throw std::runtime_error("POST /v3/auth/tokens with an application credential failed: " + response.body);
        const auto token_expires =
            core::parseIso8601(std::string(response.json().at("token").at("expires_at").as_string()));
        if (!token_expires) throw std::runtime_error("unreadable expires_at: " + response.body);
        return IssuedToken{response.header("x-subject-token"),
                           std::chrono::time_point_cast<std::chrono::system_clock::duration>(*token_expires)};
    }

    // The catalog entry through which the OpenStack clients find the API.
    void registerKeyManagerEndpoint() {
        const Headers headers{{"X-Auth-Token", adminToken().value}, {"Content-Type", "application/json"}};
        const HttpResponse service = identity().request(
            "POST", "/v3/services", headers,
            R"({"service": {"type": "key-manager", "name": "barbican", "enabled": true}})");
        if (service.status != 201) throw std::runtime_error("POST /v3/services failed: " + service.body);
        const std::string service_id(service.json().at("service").at("id").as_string());
        for (const char* interface : {"public", "internal"}) {
            boost::json::object endpoint{{"service_id", service_id}, {"interface", interface},
                                         {"url", apiUrl()}, {"region_id", "RegionOne"}};
            const HttpResponse created = identity().request(
                "POST", "/v3/endpoints", headers, boost::json::serialize(boost::json::object{{"endpoint", endpoint}}));
            if (created.status != 201) throw std::runtime_error("POST /v3/endpoints failed: " + created.body);
        }
    }

    std::string keystone_dir_;
    std::string stack_dir_;
    int keystone_port_ = 0;
    int api_port_ = 0;
    boost::json::object fixture_;
    std::string admin_password_;
    std::map<std::string, std::string> tokens_;  // user name -> token
    IssuedToken short_token_;
};

Headers tokenHeaders(const std::string& token) { return Headers{{"X-Auth-Token", token}}; }

std::string description(const HttpResponse& response) {
    const auto body = response.json();
    if (!body.is_object() || !body.as_object().contains("description")) return {};
    return std::string(body.at("description").as_string());
}

void checkUnauthorized(const HttpResponse& response, const KeystoneEnvironment& env) {
    INFO(response.body);
    CHECK(response.status == 401);
    CHECK(response.header("www-authenticate") == "Keystone uri=\"" + env.keystoneUrl() + "\"");
    CHECK(response.header("content-type") == "application/json");
    CHECK(response.json().at("code") == 401);
    CHECK(response.json().at("title") == "Unauthorized");
    CHECK(description(response) == "The request you have made requires authentication.");
}

// Runs /usr/bin/openstack as `user` of project `project` and returns its
// JSON output.
boost::json::value openstack(const KeystoneEnvironment& env, const std::string& user, const std::string& project,
                             const std::string& arguments) {
    const std::string command =
        "env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=" + shellQuote(env.keystoneDir()) +
        " /usr/bin/openstack --os-auth-url " + env.keystoneUrl() + "/v3 --os-identity-api-version 3" +
        " --os-username " + user + " --os-password=" + shellQuote(env.password()) + " --os-project-name " + project +
        " --os-user-domain-name Default --os-project-domain-name Default --os-interface public " + arguments +
        " -f json 2>&1";
    int status = 0;
    const std::string output = runCommand(command, &status);
    INFO("openstack " << arguments << ":\n" << output);
    REQUIRE(status == 0);
    return boost::json::parse(output);
}


// The identity headers that nginx/keystone-identity.conf drops, as a
// client would send them.
const std::vector<std::string> kIdentityHeaders = {
    "X-Identity-Status", "X-Domain-Id", "X-Domain-Name", "X-Project-Id", "X-Project-Name",
    "X-Project-Domain-Id", "X-Project-Domain-Name", "X-User-Id", "X-User-Name", "X-User-Domain-Id",
    "X-User-Domain-Name", "X-Roles", "X-Is-Admin-Project", "OpenStack-System-Scope", "X-Service-Catalog",
    "X-Service-Identity-Status", "X-Service-Domain-Id", "X-Service-Domain-Name", "X-Service-Project-Id",
    "X-Service-Project-Name", "X-Service-Project-Domain-Id", "X-Service-Project-Domain-Name",
    "X-Service-User-Id", "X-Service-User-Name", "X-Service-User-Domain-Id", "X-Service-User-Domain-Name",
    "X-Service-Roles", "X-Tenant-Id", "X-Tenant-Name", "X-Tenant", "X-User", "X-Role",
};

// The FastCGI parameter that carries request header `name`.
std::string cgiName(const std::string& name) {
    std::string out = "HTTP_";
    for (char c : name) out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return out;
}

// A WSGI application that returns the HTTP_* parameters of each request
// as a JSON object.
constexpr const char* kEchoApplication = R"(import json


def application(environ, start_response):
    seen = {name: value for name, value in environ.items() if name.startswith("HTTP_")}
    body = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
)";

// Replaces the stack's barbican-fcgi with a FastCGI echo (kEchoApplication
// under uWSGI, packages that scripts/keystone.sh installs) on the same
// socket, so that a test can read the parameters that nginx forwards. The
// destructor stops the echo and starts barbican-fcgi again.
class FastcgiEcho {
public:
    explicit FastcgiEcho(const KeystoneEnvironment& env) : env_(env) {}

    FastcgiEcho(const FastcgiEcho&) = delete;
    FastcgiEcho& operator=(const FastcgiEcho&) = delete;

    // Stops barbican-fcgi and starts the echo. Returns false, with the
    // reason in `failure`, when either step fails.
    bool start(std::string& failure) {
        if (env_.stackCommand("stop-one", "fcgi") != 0) {
            failure = "scripts/stack.sh stop-one fcgi failed";
            return false;
        }
        fcgi_stopped_ = true;

        const std::string dir = env_.stackDir();
        std::ofstream(dir + "/fastcgi_echo.py") << kEchoApplication;
        runCommand("setsid uwsgi --plugins python3 --fastcgi-socket " + shellQuote(socketPath()) +
                   " --chmod-socket=660 --wsgi-file " + shellQuote(dir + "/fastcgi_echo.py") +
                   " --master --processes 1 --die-on-term --pidfile " + shellQuote(pidFile()) + " --logto " +
                   shellQuote(dir + "/log/fastcgi-echo.log") + " </dev/null >/dev/null 2>&1 &");
        for (int i = 0; i < 100; ++i) {
            if (echoPid() > 0 && runCommand("test -S " + shellQuote(socketPath()) + " && echo yes") == "yes\n")
                return true;
            std::this_thread::sleep_for(100ms);
        }
        failure = "the FastCGI echo did not create its socket within 10 s:\n" + readFile(dir + "/log/fastcgi-echo.log");
        return false;
    }

    ~FastcgiEcho() {
        try {
            stopEcho();
            if (fcgi_stopped_) restartFcgi();
        } catch (const std::exception& e) {
            WARN("restoring barbican-fcgi failed: " << e.what());
        }
    }

private:
    std::string socketPath() const { return env_.stackDir() + "/run/api.sock"; }
    std::string pidFile() const { return env_.stackDir() + "/run/fastcgi-echo.pid"; }

    // The pid in the echo's pid file when that process is the echo's uWSGI
    // master, else 0.
    int echoPid() const {
        const std::string text = readFile(pidFile());
        const int pid = std::atoi(text.c_str());
        if (pid <= 0) return 0;
        const std::string cmdline = readFile("/proc/" + std::to_string(pid) + "/cmdline");
        return cmdline.find("uwsgi") != std::string::npos && cmdline.find(socketPath()) != std::string::npos ? pid : 0;
    }

    // Sends SIGTERM to the echo's master, and after 10 s SIGKILL to its
    // process group (setsid made the master its leader).
    void stopEcho() const {
        const int pid = echoPid();
        if (pid <= 0) return;
        ::kill(pid, SIGTERM);
        for (int i = 0; i < 100 && echoPid() == pid; ++i) std::this_thread::sleep_for(100ms);
        if (echoPid() == pid) ::kill(-pid, SIGKILL);
    }

    void restartFcgi() const {
        if (env_.stackCommand("start-one", "fcgi") != 0) {
            WARN("scripts/stack.sh start-one fcgi failed:\n" << readFile(env_.stackDir() + "/stack-sh.out"));
            return;
        }
        for (int i = 0; i < 100; ++i) {
            if (env_.api().request("GET", "/").status == 300) return;
            std::this_thread::sleep_for(100ms);
        }
        WARN("barbican-fcgi does not respond through nginx after its restart");
    }

    const KeystoneEnvironment& env_;
    bool fcgi_stopped_ = false;
};

}  // namespace

TEST_CASE("keystone valid token works", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const HttpClient api = env.api();
    const std::string token = env.userToken("alpha-creator");

    const std::string ref = testsupport::createTextSecret(api, tokenHeaders(token), "keystone payload");
    const std::string id = testsupport::idOf(ref);
    const HttpResponse meta = api.request("GET", "/v1/secrets/" + id, tokenHeaders(token));
    INFO(meta.body);
    REQUIRE(meta.status == 200);
    CHECK(meta.json().at("creator_id") == env.userId("alpha-creator").c_str());

    Headers accept = tokenHeaders(token);
    accept.emplace_back("Accept", "text/plain");
    const HttpResponse payload = api.request("GET", "/v1/secrets/" + id + "/payload", accept);
    CHECK(payload.status == 200);
    CHECK(payload.body == "keystone payload");

    CHECK(env.sql("SELECT project_id || ' ' || creator_id FROM secrets WHERE id = '" + id + "'") ==
          env.projectId("alpha") + " " + env.userId("alpha-creator"));

    // The short-lived token works until it expires; see the expiry test.
    CHECK(api.request("GET", "/v1/secrets", tokenHeaders(env.shortToken().value)).status == 200);
}

TEST_CASE("keystone root and health need no token", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const HttpResponse root = env.api().request("GET", "/");
    CHECK(root.status == 300);
    CHECK(env.api().request("GET", "/healthcheck").status == 200);
}

TEST_CASE("keystone ignores identity headers", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const HttpClient api = env.api();
    const std::string beta = env.projectId("beta");

    // A creator of alpha claiming project beta and user "someone" creates in
    // alpha, as itself.
    Headers forged = tokenHeaders(env.userToken("alpha-creator"));
    forged.emplace_back("X-Project-Id", beta);
    forged.emplace_back("X-User-Id", "someone");
    forged.emplace_back("X-Roles", "observer");
    const std::string id = testsupport::idOf(testsupport::createTextSecret(api, forged, "forged headers"));
    CHECK(env.sql("SELECT project_id || ' ' || creator_id FROM secrets WHERE id = '" + id + "'") ==
          env.projectId("alpha") + " " + env.userId("alpha-creator"));

    // An observer claiming admin stays an observer.
    Headers observer = tokenHeaders(env.userToken("alpha-observer"));
    observer.emplace_back("X-Roles", "admin");
    const HttpResponse deleted = api.request("DELETE", "/v1/secrets/" + id, observer);
    INFO(deleted.body);
    CHECK(deleted.status == 403);
    CHECK(env.sql("SELECT count(*) FROM secrets WHERE id = '" + id + "' AND deleted = false") == "1");

    // Identity headers without a token get 401.
    checkUnauthorized(api.request("GET", "/v1/secrets", testsupport::identity(beta, "admin", "someone")), env);
}

TEST_CASE("keystone nginx drops identity headers", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();

    // stack.sh enabled the include because the stack's config sets
    // auth.mode = keystone.
    const std::string site = readFile(env.stackDir() + "/nginx/barbican-site.conf");
    CHECK(site.find("\n        include keystone-identity.conf;\n") != std::string::npos);
    CHECK(site.find("# include keystone-identity.conf;") == std::string::npos);
    CHECK(readFile(env.stackDir() + "/nginx/keystone-identity.conf") ==
          readFile(testsupport::repositoryRoot() + "/nginx/keystone-identity.conf"));

    Headers headers{{"X-Auth-Token", "token-from-client"}, {"X-Service-Token", "service-token-from-client"}};
    for (const auto& name : kIdentityHeaders) headers.emplace_back(name, "forged");
    {
        FastcgiEcho echo(env);
        std::string failure;
        const bool started = echo.start(failure);
        INFO(failure);
        REQUIRE(started);

        const HttpResponse response = env.api().request("GET", "/v1/secrets", headers);
        INFO(response.body);
        REQUIRE(response.status == 200);
        const boost::json::value seen = response.json();
        REQUIRE(seen.is_object());
        // Headers outside the list pass unchanged, so the echo does show
        // what nginx forwards.
        CHECK(seen.at("HTTP_X_AUTH_TOKEN") == "token-from-client");
        CHECK(seen.at("HTTP_X_SERVICE_TOKEN") == "service-token-from-client");
        for (const auto& name : kIdentityHeaders) {
            INFO(name << " arrived as " << cgiName(name));
            const auto* value = seen.as_object().if_contains(cgiName(name));
            // nginx sends no parameter for a header that an empty
            // fastcgi_param hides; an empty one would be harmless too.
            CHECK((value == nullptr || (value->is_string() && value->as_string().empty())));
        }
    }

    // barbican-fcgi is back and takes the identity from the token.
    Headers forged = tokenHeaders(env.userToken("alpha-creator"));
    forged.emplace_back("X-Project-Id", env.projectId("beta"));
    const std::string id = testsupport::idOf(testsupport::createTextSecret(env.api(), forged, "after the echo"));
    CHECK(env.sql("SELECT project_id FROM secrets WHERE id = '" + id + "'") == env.projectId("alpha"));
}

TEST_CASE("keystone missing and bad tokens get 401", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const HttpClient api = env.api();

    checkUnauthorized(api.request("GET", "/v1/secrets"), env);
    checkUnauthorized(api.request("GET", "/v1"), env);
    checkUnauthorized(api.request("GET", "/v1/secrets", tokenHeaders("gAAAAABnot-a-real-token")), env);
    checkUnauthorized(api.request("POST", "/v1/secrets", testsupport::withJson(tokenHeaders("bad")), "{}"), env);
    // A token without a project, and the 401 comes before the microversion check.
    checkUnauthorized(api.request("GET", "/v1/secrets", tokenHeaders(env.userToken("nobody"))), env);
    checkUnauthorized(api.request("GET", "/v1/secrets", {{"OpenStack-API-Version", "key-manager 9.9"}}), env);
}

TEST_CASE("keystone other project gets 403", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const HttpClient api = env.api();
    const std::string id = testsupport::idOf(
        testsupport::createTextSecret(api, tokenHeaders(env.userToken("alpha-creator")), "alpha only"));

    // The same status and description as for X-Project-Id of another
    // project in noauth mode (and in Barbican).
    const Headers beta_admin = tokenHeaders(env.userToken("beta-admin"));
    const HttpResponse meta = api.request("GET", "/v1/secrets/" + id, beta_admin);
    CHECK(meta.status == 403);
    CHECK(description(meta) == "Secret retrieval attempt not allowed - please review your user/project privileges");
    const HttpResponse payload = api.request("GET", "/v1/secrets/" + id + "/payload", beta_admin);
    CHECK(payload.status == 403);
    CHECK(payload.body.find("alpha only") == std::string::npos);
    CHECK(api.request("DELETE", "/v1/secrets/" + id, beta_admin).status == 403);
}

TEST_CASE("keystone revoked token stops working", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const HttpClient api = env.api();
    const std::string token = env.freshToken("alpha-admin").value;
    for (int i = 0; i < 2; ++i) REQUIRE(api.request("GET", "/v1/secrets", tokenHeaders(token)).status == 200);

    const HttpResponse revoked =
        env.identity().request("DELETE", "/v3/auth/tokens", {{"X-Auth-Token", token}, {"X-Subject-Token", token}});
    REQUIRE(revoked.status == 204);
    std::this_thread::sleep_for(std::chrono::seconds(kCacheSeconds + 1));
    for (int i = 0; i < 2; ++i) checkUnauthorized(api.request("GET", "/v1/secrets", tokenHeaders(token)), env);
}

TEST_CASE("keystone openstack client stores and gets", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const auto stored = openstack(env, "alpha-creator", "alpha", "secret store --name cli-secret --payload cli-payload");
    const std::string href(stored.at("Secret href").as_string());
    CHECK(href.rfind(env.apiUrl() + "/v1/secrets/", 0) == 0);

    const auto listed = openstack(env, "alpha-creator", "alpha", "secret list --name cli-secret");
    REQUIRE(listed.as_array().size() == 1);
    CHECK(listed.as_array()[0].at("Secret href") == href.c_str());

    const auto fetched = openstack(env, "alpha-creator", "alpha", "secret get " + href + " --payload");
    CHECK(fetched.at("Payload") == "cli-payload");

    CHECK(env.sql("SELECT project_id FROM secrets WHERE id = '" + testsupport::idOf(href) + "'") ==
          env.projectId("alpha"));
}

TEST_CASE("keystone castellan stores and gets key", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const std::string script = testsupport::repositoryRoot() + "/tests/e2e/castellan_check.py";
    int status = 0;
    const std::string output = runCommand(
        "env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=" + shellQuote(env.keystoneDir()) + " /usr/bin/python3 " +
            shellQuote(script) + " " + env.keystoneUrl() + "/v3 alpha alpha-creator " + shellQuote(env.password()) +
            " " + env.apiUrl() + " 2>&1",
        &status);
    INFO(output);
    REQUIRE(status == 0);
    const auto stored = output.find("stored ");
    REQUIRE(stored != std::string::npos);
    const std::string id = output.substr(stored + 7, 36);
    CHECK(env.sql("SELECT project_id || ' ' || deleted FROM secrets WHERE id = '" + id + "'") ==
          env.projectId("alpha") + " true");
}

TEST_CASE("keystone expired token gets 401", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const auto expires_at = env.shortToken().expires_at;
    const auto now = std::chrono::system_clock::now();
    REQUIRE(expires_at - now <= std::chrono::seconds(kShortTokenSeconds));
    if (now < expires_at + 1s) std::this_thread::sleep_for(expires_at + 1s - now);
    for (int i = 0; i < 4; ++i)
        checkUnauthorized(env.api().request("GET", "/v1/secrets", tokenHeaders(env.shortToken().value)), env);
}

TEST_CASE("keystone down gives 503", "[e2e][keystone]") {
    auto& env = KeystoneEnvironment::get();
    const std::string unused = env.freshToken("alpha-observer").value;
    REQUIRE(env.keystoneCommand("stop") == 0);

    const HttpResponse response = env.api().request("GET", "/v1/secrets", tokenHeaders(unused));
    INFO(response.body);
    CHECK(response.status == 503);
    CHECK(description(response) == "The Keystone service is temporarily unavailable.");
    checkUnauthorized(env.api().request("GET", "/v1/secrets"), env);
    CHECK(env.api().request("GET", "/").status == 300);
}
