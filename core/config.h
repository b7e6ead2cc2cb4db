#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace core {

// Settings of all three binaries, parsed once at start-up and passed down as
// a const reference. Secret values (database password, keys) are not held
// here: only the paths of the files that contain them.
struct Config {
    std::string config_file;

    // [api]
    std::string host_href;
    std::size_t max_request_bytes = 25000;
    std::size_t max_secret_bytes = 20000;
    int default_limit = 10;
    int max_limit = 100;

    // [auth] keystone: identity from a token validated by Keystone; noauth:
    // from X-Project-Id, X-User-Id and X-Roles set by the layer in front.
    std::string auth_mode = "keystone";

    // [keystone], used when auth_mode is "keystone". The base URL has no
    // "/v3": requests go to {keystone_auth_url}/v3/auth/tokens.
    std::string keystone_auth_url;
    std::string keystone_www_authenticate_uri;  // empty: keystone_auth_url
    std::string keystone_username;
    std::string keystone_password_file;
    std::string keystone_project_name;
    std::string keystone_user_domain_name = "Default";
    std::string keystone_project_domain_name = "Default";
    int keystone_connect_timeout_ms = 3000;
    int keystone_timeout_ms = 10000;
    int keystone_cache_size = 10000;  // validated tokens per worker; 0: none
    int keystone_cache_seconds = 300;
    bool keystone_verify_tls = true;
    std::string keystone_ca_file;  // empty: the system's CA certificates

    // [database]
    std::string database_dsn;
    std::string database_password_file;
    int statement_timeout_seconds = 5;

    // [redis]
    std::string redis_socket;
    std::string redis_host = "127.0.0.1";
    int redis_port = 6379;
    std::string redis_queue = "barbican:orders";
    int redis_timeout_ms = 1000;

    // [crypto]
    std::string master_key_file;
    std::vector<std::string> previous_master_key_files;
    int project_key_cache_seconds = 300;

    // [quota] defaults; negative means unlimited.
    int quota_secrets = -1;
    int quota_orders = -1;
    int quota_containers = -1;
    int quota_consumers = -1;
    int quota_cas = -1;

    // [fcgi]
    std::string fcgi_socket = "/run/barbican/api.sock";
    unsigned fcgi_socket_mode = 0660;
    int fcgi_backlog = 1024;
    int fcgi_workers = 0;

    // [runner]
    std::string runner_id;
    int runner_lease_seconds = 60;
    int runner_threads = 4;
    int runner_sweep_interval_seconds = 30;
    int runner_sweep_min_age_seconds = 10;

    // [log]
    std::string log_level = "info";

    // Number of workers to fork: fcgi.workers, or four per CPU when 0.
    int effectiveWorkers() const;
    // DSN with the password from password_file appended; never log it.
    std::string databaseConnectString() const;
    // The DSN without password, for log lines.
    std::string redactedDsn() const;
};

// Result of parsing the command line: either a config to run with, or a
// request to print help and exit, or an error already printed.
struct ParsedArgs {
    Config config;
    std::vector<std::string> positional;  // extra words, e.g. "db upgrade"
    bool help = false;
    std::string help_text;
};

// Parses --config FILE plus --section.name=value overrides for program
// `program`. Throws std::runtime_error with a message naming the option on
// an unknown option, a bad value or an unreadable config file.
// `extra_description` lists program-specific flags (added to --help), and
// `extra_flags` receives their values, keyed by flag name.
struct ExtraFlag {
    std::string name;         // e.g. "order"
    std::string description;  // help text
    bool takes_value = true;
};
ParsedArgs parseArgs(int argc, char** argv, const std::string& program, const std::vector<ExtraFlag>& extra_flags,
                     std::vector<std::pair<std::string, std::string>>* extra_values);

}  // namespace core
