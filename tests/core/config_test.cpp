#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config.h"

namespace {

// A config file in /tmp removed at the end of the test.
class TempConfig {
public:
    explicit TempConfig(const std::string& text) {
        char pattern[] = "/tmp/barbican-config-XXXXXX";
        const int fd = ::mkstemp(pattern);
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    ~TempConfig() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

const char* kMinimal =
    "[database]\ndsn = host=/tmp dbname=x\n"
    "[crypto]\nmaster_key_file = /tmp/none.key\n"
    "[auth]\nmode = noauth\n";

core::ParsedArgs parse(std::vector<std::string> args) {
    std::vector<char*> argv;
    static std::string program = "barbican-test";
    argv.push_back(program.data());
    for (auto& arg : args) argv.push_back(arg.data());
    return core::parseArgs(static_cast<int>(argv.size()), argv.data(), "barbican-test", {}, nullptr);
}

std::string errorOf(std::vector<std::string> args) {
    try {
        parse(std::move(args));
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("config minimal file parses with defaults", "[unit][config]") {
    TempConfig file(kMinimal);
    const auto parsed = parse({"--config", file.path()});
    CHECK(parsed.config.database_dsn == "host=/tmp dbname=x");
    CHECK(parsed.config.max_request_bytes == 25000);
    CHECK(parsed.config.max_secret_bytes == 20000);
    CHECK(parsed.config.default_limit == 10);
    CHECK(parsed.config.max_limit == 100);
    CHECK(parsed.config.quota_secrets == -1);
    CHECK(parsed.config.fcgi_socket_mode == 0660);
    CHECK(parsed.config.effectiveWorkers() > 0);
}

TEST_CASE("config command line overrides file", "[unit][config]") {
    TempConfig file(kMinimal);
    const auto parsed = parse({"--config", file.path(), "--api.max_limit=50", "--fcgi.workers", "3"});
    CHECK(parsed.config.max_limit == 50);
    CHECK(parsed.config.effectiveWorkers() == 3);
}

TEST_CASE("config unknown option names it", "[unit][config]") {
    TempConfig file(std::string(kMinimal) + "[api]\nno_such_option = 1\n");
    CHECK(errorOf({"--config", file.path()}).find("api.no_such_option") != std::string::npos);
    TempConfig good(kMinimal);
    CHECK(errorOf({"--config", good.path(), "--bogus=1"}).find("bogus") != std::string::npos);
}

TEST_CASE("config bad values name the option", "[unit][config]") {
    TempConfig file(std::string(kMinimal) + "[api]\nmax_limit = many\n");
    CHECK(errorOf({"--config", file.path()}).find("api.max_limit") != std::string::npos);
    TempConfig zero(std::string(kMinimal) + "[api]\ndefault_limit = 0\n");
    CHECK(errorOf({"--config", zero.path()}).find("api.default_limit") != std::string::npos);
    TempConfig mode(std::string(kMinimal) + "[fcgi]\nsocket_mode = 999\n");
    CHECK(errorOf({"--config", mode.path()}).find("fcgi.socket_mode") != std::string::npos);
    TempConfig level(std::string(kMinimal) + "[log]\nlevel = loud\n");
    CHECK(errorOf({"--config", level.path()}).find("log.level") != std::string::npos);
}

TEST_CASE("config missing required options", "[unit][config]") {
    TempConfig no_key("[database]\ndsn = host=/tmp\n[auth]\nmode = noauth\n");
    CHECK(errorOf({"--config", no_key.path()}).find("crypto.master_key_file") != std::string::npos);
    TempConfig no_dsn("[crypto]\nmaster_key_file = /tmp/k\n[auth]\nmode = noauth\n");
    CHECK(errorOf({"--config", no_dsn.path()}).find("database.dsn") != std::string::npos);
    CHECK(errorOf({"--config", "/nonexistent/barbican.conf"}).find("/nonexistent/barbican.conf") != std::string::npos);
}

TEST_CASE("config redacts a password in the dsn", "[unit][config]") {
    TempConfig file("[database]\ndsn = host=/tmp password=hunter2 dbname=x\n[crypto]\nmaster_key_file = /tmp/k\n[auth]\nmode = noauth\n");
    const auto parsed = parse({"--config", file.path()});
    CHECK(parsed.config.redactedDsn().find("hunter2") == std::string::npos);
    CHECK(parsed.config.redactedDsn().find("password=***") != std::string::npos);
}

TEST_CASE("config help lists options with defaults", "[unit][config]") {
    const auto parsed = parse({"--help"});
    REQUIRE(parsed.help);
    CHECK(parsed.help_text.find("--api.max_secret_bytes") != std::string::npos);
    CHECK(parsed.help_text.find("(=20000)") != std::string::npos);
    CHECK(parsed.help_text.find("bytes") != std::string::npos);
}
