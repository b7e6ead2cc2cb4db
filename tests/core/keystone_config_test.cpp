// auth.mode and the [keystone] options of core::parseArgs.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/config.h"

namespace {

class ConfigFile {
public:
    explicit ConfigFile(const std::string& text) {
        char pattern[] = "/tmp/barbican-keystone-config-XXXXXX";
        const int fd = ::mkstemp(pattern);
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    ~ConfigFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

const std::string kBase =
    "[database]\ndsn = host=/tmp dbname=x\n"
    "[crypto]\nmaster_key_file = /tmp/none.key\n";

const std::string kKeystone =
    "[keystone]\nauth_url = https://keystone.example.org:5000/v3/\nusername = barbican\n"
    "password_file = /etc/barbican/keystone.password\nproject_name = service\n";

core::ParsedArgs parseFile(const std::string& text, std::vector<std::string> extra = {}) {
    ConfigFile file(text);
    std::vector<std::string> args{"barbican-test", "--config", file.path()};
    for (auto& arg : extra) args.push_back(arg);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    return core::parseArgs(static_cast<int>(argv.size()), argv.data(), "barbican-test", {}, nullptr);
}

std::string errorOf(const std::string& text, std::vector<std::string> extra = {}) {
    try {
        parseFile(text, std::move(extra));
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("keystone config is the default mode", "[unit][config]") {
    const auto parsed = parseFile(kBase + kKeystone);
    const core::Config& c = parsed.config;
    CHECK(c.auth_mode == "keystone");
    CHECK(c.keystone_auth_url == "https://keystone.example.org:5000");
    CHECK(c.keystone_www_authenticate_uri == "https://keystone.example.org:5000");
    CHECK(c.keystone_username == "barbican");
    CHECK(c.keystone_project_name == "service");
    CHECK(c.keystone_user_domain_name == "Default");
    CHECK(c.keystone_project_domain_name == "Default");
    CHECK(c.keystone_verify_tls);
    CHECK(c.keystone_ca_file.empty());
    CHECK(c.keystone_cache_size == 10000);
    CHECK(c.keystone_cache_seconds == 300);
}

TEST_CASE("keystone config requires its options", "[unit][config]") {
    CHECK(errorOf(kBase) == "option keystone.auth_url is required when auth.mode = keystone");
    CHECK(errorOf(kBase + "[keystone]\nauth_url = http://127.0.0.1:5000\n") ==
          "option keystone.username is required when auth.mode = keystone");
    CHECK(errorOf(kBase + "[keystone]\nauth_url = http://127.0.0.1:5000\nusername = barbican\n") ==
          "option keystone.password_file is required when auth.mode = keystone");
    CHECK(errorOf(kBase + "[keystone]\nauth_url = http://127.0.0.1:5000\nusername = barbican\npassword_file = /p\n") ==
          "option keystone.project_name is required when auth.mode = keystone");
}

TEST_CASE("keystone config rejects bad values", "[unit][config]") {
    CHECK(errorOf(kBase + kKeystone, {"--keystone.auth_url=keystone:5000"}) ==
          "option keystone.auth_url: 'keystone:5000' must start with http:// or https://");
    CHECK(errorOf(kBase + kKeystone, {"--keystone.cache_seconds=0"}) ==
          "option keystone.cache_seconds must be positive, got 0");
    CHECK(errorOf(kBase + kKeystone, {"--keystone.cache_size=-1"}) == "option keystone.cache_size must be 0 or more");
    CHECK(errorOf(kBase + kKeystone, {"--keystone.timeout_ms=0"}) == "option keystone.timeout_ms must be positive, got 0");
    CHECK(errorOf(kBase + kKeystone, {"--auth.mode=trusted"}) ==
          "option auth.mode: unsupported value 'trusted' (supported: keystone, noauth)");
    CHECK_FALSE(errorOf(kBase + kKeystone, {"--keystone.verify_tls=maybe"}).empty());
}

TEST_CASE("keystone config optional values", "[unit][config]") {
    const auto parsed = parseFile(kBase + kKeystone, {"--keystone.www_authenticate_uri=https://id.example.org/",
                                                      "--keystone.verify_tls=false", "--keystone.cache_size=0"});
    CHECK(parsed.config.keystone_www_authenticate_uri == "https://id.example.org/");
    CHECK_FALSE(parsed.config.keystone_verify_tls);
    CHECK(parsed.config.keystone_cache_size == 0);
}

TEST_CASE("noauth config ignores keystone section", "[unit][config]") {
    const auto parsed = parseFile(kBase + "[auth]\nmode = noauth\n");
    CHECK(parsed.config.auth_mode == "noauth");
    CHECK(parsed.config.keystone_auth_url.empty());
}
