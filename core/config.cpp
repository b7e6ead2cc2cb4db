#include "core/config.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace po = boost::program_options;

namespace core {
namespace {

std::vector<std::string> splitPaths(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        const auto first = item.find_first_not_of(" \t");
        if (first == std::string::npos) continue;
        const auto last = item.find_last_not_of(" \t");
        out.push_back(item.substr(first, last - first + 1));
    }
    return out;
}

void requirePositive(const char* name, long value) {
    if (value <= 0) throw std::runtime_error(std::string("option ") + name + " must be positive, got " + std::to_string(value));
}

// Declares every option of the shared configuration file. Each binary reads
// the same file, so all sections are known to all of them.
po::options_description fileOptions(Config& c, std::string& socket_mode, std::string& previous_keys) {
    po::options_description api("[api]");
    api.add_options()
        ("api.host_href", po::value(&c.host_href)->default_value(""), "base URL of hrefs in responses; empty: built from the request's Host and X-Forwarded-Proto")
        ("api.max_request_bytes", po::value(&c.max_request_bytes)->default_value(25000), "largest JSON request body read, in bytes")
        ("api.max_secret_bytes", po::value(&c.max_secret_bytes)->default_value(20000), "largest secret payload accepted, in bytes")
        ("api.default_limit", po::value(&c.default_limit)->default_value(10), "page size of lists when the client gives none")
        ("api.max_limit", po::value(&c.max_limit)->default_value(100), "largest page size of lists");
    po::options_description auth("[auth]");
    auth.add_options()
        ("auth.mode", po::value(&c.auth_mode)->default_value("keystone"), "keystone: identity from the X-Auth-Token validated by Keystone ([keystone] section); noauth: identity from X-Project-Id, X-User-Id and X-Roles set by the layer in front");
    po::options_description keystone("[keystone]");
    keystone.add_options()
        ("keystone.auth_url", po::value(&c.keystone_auth_url)->default_value(""), "base URL of Keystone without /v3, e.g. https://keystone.example.org:5000 (required in keystone mode)")
        ("keystone.www_authenticate_uri", po::value(&c.keystone_www_authenticate_uri)->default_value(""), "Keystone URL sent to clients in WWW-Authenticate on 401; empty: auth_url")
        ("keystone.username", po::value(&c.keystone_username)->default_value(""), "service user that validates tokens; needs the admin or service role (required in keystone mode)")
        ("keystone.password_file", po::value(&c.keystone_password_file)->default_value(""), "file holding the service user's password, mode 0600 (required in keystone mode)")
        ("keystone.project_name", po::value(&c.keystone_project_name)->default_value(""), "project the service user's token is scoped to (required in keystone mode)")
        ("keystone.user_domain_name", po::value(&c.keystone_user_domain_name)->default_value("Default"), "domain of the service user")
        ("keystone.project_domain_name", po::value(&c.keystone_project_domain_name)->default_value("Default"), "domain of the service user's project")
        ("keystone.connect_timeout_ms", po::value(&c.keystone_connect_timeout_ms)->default_value(3000), "Keystone connect timeout, in milliseconds")
        ("keystone.timeout_ms", po::value(&c.keystone_timeout_ms)->default_value(10000), "Keystone request timeout including connect, in milliseconds")
        ("keystone.cache_size", po::value(&c.keystone_cache_size)->default_value(10000), "validated tokens cached per worker; 0 disables the cache")
        ("keystone.cache_seconds", po::value(&c.keystone_cache_seconds)->default_value(300), "seconds a validated token stays cached (never past its expiry); a revoked token keeps working for at most this long")
        ("keystone.verify_tls", po::value(&c.keystone_verify_tls)->default_value(true), "verify Keystone's TLS certificate and host name (true or false)")
        ("keystone.ca_file", po::value(&c.keystone_ca_file)->default_value(""), "PEM file of CA certificates for Keystone's TLS certificate; empty: the system's");
    po::options_description database("[database]");
    database.add_options()
        ("database.dsn", po::value(&c.database_dsn)->default_value(""), "libpq connection string without password")
        ("database.password_file", po::value(&c.database_password_file)->default_value(""), "file holding the database password, mode 0600; empty: none")
        ("database.statement_timeout", po::value(&c.statement_timeout_seconds)->default_value(5), "seconds a statement may run before it is cancelled");
    po::options_description redis("[redis]");
    redis.add_options()
        ("redis.socket", po::value(&c.redis_socket)->default_value(""), "unix socket of Redis; empty: host and port")
        ("redis.host", po::value(&c.redis_host)->default_value("127.0.0.1"), "Redis host when no socket is set")
        ("redis.port", po::value(&c.redis_port)->default_value(6379), "Redis port when no socket is set")
        ("redis.queue", po::value(&c.redis_queue)->default_value("barbican:orders"), "name of the Redis list of order ids")
        ("redis.timeout_ms", po::value(&c.redis_timeout_ms)->default_value(1000), "Redis connect and command timeout, in milliseconds");
    po::options_description crypto("[crypto]");
    crypto.add_options()
        ("crypto.master_key_file", po::value(&c.master_key_file)->default_value(""), "file with the 32-byte master key, mode 0600 (required)")
        ("crypto.previous_master_key_files", po::value(&previous_keys)->default_value(""), "comma-separated earlier master key files still accepted during a rotation")
        ("crypto.project_key_cache_seconds", po::value(&c.project_key_cache_seconds)->default_value(300), "seconds an unwrapped project key stays cached in a worker");
    po::options_description quota("[quota]");
    quota.add_options()
        ("quota.secrets", po::value(&c.quota_secrets)->default_value(-1), "default secrets quota per project; negative: unlimited")
        ("quota.orders", po::value(&c.quota_orders)->default_value(-1), "default orders quota per project; negative: unlimited")
        ("quota.containers", po::value(&c.quota_containers)->default_value(-1), "default containers quota per project; negative: unlimited")
        ("quota.consumers", po::value(&c.quota_consumers)->default_value(-1), "default consumers quota per project; negative: unlimited")
        ("quota.cas", po::value(&c.quota_cas)->default_value(-1), "default cas quota per project (kept for compatibility)");
    po::options_description fcgi("[fcgi]");
    fcgi.add_options()
        ("fcgi.socket", po::value(&c.fcgi_socket)->default_value("/run/barbican/api.sock"), "unix socket the workers accept on, unless systemd passes one")
        ("fcgi.socket_mode", po::value(&socket_mode)->default_value("0660"), "permissions of the socket file, octal")
        ("fcgi.backlog", po::value(&c.fcgi_backlog)->default_value(1024), "listen backlog of the socket")
        ("fcgi.workers", po::value(&c.fcgi_workers)->default_value(0), "worker processes; 0: four per CPU");
    po::options_description runner("[runner]");
    runner.add_options()
        ("runner.id", po::value(&c.runner_id)->default_value(""), "identity of this job-runner; empty: host name and pid")
        ("runner.lease_seconds", po::value(&c.runner_lease_seconds)->default_value(60), "seconds an order claim is held")
        ("runner.threads", po::value(&c.runner_threads)->default_value(4), "orders the daemon processes at the same time, one thread each")
        ("runner.sweep_interval_seconds", po::value(&c.runner_sweep_interval_seconds)->default_value(30), "seconds between sweeps that queue again unheld PENDING orders")
        ("runner.sweep_min_age_seconds", po::value(&c.runner_sweep_min_age_seconds)->default_value(10), "minimum age in seconds of a PENDING order before a sweep queues it again");
    po::options_description logging("[log]");
    logging.add_options()
        ("log.level", po::value(&c.log_level)->default_value("info"), "debug, info, warning or error");

    po::options_description all;
    all.add(api).add(auth).add(keystone).add(database).add(redis).add(crypto).add(quota).add(fcgi).add(runner).add(logging);
    return all;
}

// Checks the [keystone] options and normalizes keystone.auth_url: a trailing
// "/" or "/v3" is removed, because request paths start with "/v3".
void validateKeystone(Config& c) {
    std::string& url = c.keystone_auth_url;
    if (url.empty()) throw std::runtime_error("option keystone.auth_url is required when auth.mode = keystone");
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        throw std::runtime_error("option keystone.auth_url: '" + url + "' must start with http:// or https://");
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.size() >= 3 && url.compare(url.size() - 3, 3, "/v3") == 0) url.resize(url.size() - 3);
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.find_first_of(" \t\r\n\"") != std::string::npos)
        throw std::runtime_error("option keystone.auth_url: '" + url + "' contains whitespace or a quote");
    if (c.keystone_www_authenticate_uri.empty()) c.keystone_www_authenticate_uri = url;
    if (c.keystone_www_authenticate_uri.find_first_of("\r\n\"") != std::string::npos)
        throw std::runtime_error("option keystone.www_authenticate_uri must not contain a quote or a line break");
    if (c.keystone_username.empty()) throw std::runtime_error("option keystone.username is required when auth.mode = keystone");
    if (c.keystone_password_file.empty())
        throw std::runtime_error("option keystone.password_file is required when auth.mode = keystone");
    if (c.keystone_project_name.empty())
        throw std::runtime_error("option keystone.project_name is required when auth.mode = keystone");
    requirePositive("keystone.connect_timeout_ms", c.keystone_connect_timeout_ms);
    requirePositive("keystone.timeout_ms", c.keystone_timeout_ms);
    requirePositive("keystone.cache_seconds", c.keystone_cache_seconds);
    if (c.keystone_cache_size < 0) throw std::runtime_error("option keystone.cache_size must be 0 or more");
}

void validate(Config& c, const std::string& socket_mode, const std::string& previous_keys) {
    if (c.auth_mode != "noauth" && c.auth_mode != "keystone")
        throw std::runtime_error("option auth.mode: unsupported value '" + c.auth_mode + "' (supported: keystone, noauth)");
    if (c.auth_mode == "keystone") validateKeystone(c);
    if (c.database_dsn.empty()) throw std::runtime_error("option database.dsn is required");
    if (c.master_key_file.empty()) throw std::runtime_error("option crypto.master_key_file is required");
    requirePositive("api.max_request_bytes", static_cast<long>(c.max_request_bytes));
    requirePositive("api.max_secret_bytes", static_cast<long>(c.max_secret_bytes));
    requirePositive("api.default_limit", c.default_limit);
    requirePositive("api.max_limit", c.max_limit);
    requirePositive("database.statement_timeout", c.statement_timeout_seconds);
    requirePositive("redis.timeout_ms", c.redis_timeout_ms);
    requirePositive("crypto.project_key_cache_seconds", c.project_key_cache_seconds);
    requirePositive("fcgi.backlog", c.fcgi_backlog);
    requirePositive("runner.lease_seconds", c.runner_lease_seconds);
    requirePositive("runner.threads", c.runner_threads);
    if (c.runner_threads > 64) throw std::runtime_error("option runner.threads must be at most 64, got " + std::to_string(c.runner_threads));
    requirePositive("runner.sweep_interval_seconds", c.runner_sweep_interval_seconds);
    if (c.fcgi_workers < 0) throw std::runtime_error("option fcgi.workers must be 0 or more");
    if (c.redis_port <= 0 || c.redis_port > 65535) throw std::runtime_error("option redis.port must be 1..65535");
    try {
        size_t used = 0;
        const unsigned long mode = std::stoul(socket_mode, &used, 8);
        if (used != socket_mode.size() || mode > 0777) throw std::invalid_argument("range");
        c.fcgi_socket_mode = static_cast<unsigned>(mode);
    } catch (const std::exception&) {
        throw std::runtime_error("option fcgi.socket_mode: '" + socket_mode + "' is not an octal mode such as 0660");
    }
    c.previous_master_key_files = splitPaths(previous_keys);
    if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warning" && c.log_level != "error")
        throw std::runtime_error("option log.level: '" + c.log_level + "' is not one of debug, info, warning, error");
}

}  // namespace

int Config::effectiveWorkers() const {
    if (fcgi_workers > 0) return fcgi_workers;
    const unsigned cpus = std::thread::hardware_concurrency();
    return static_cast<int>(cpus == 0 ? 4 : cpus * 4);
}

std::string Config::databaseConnectString() const {
    std::string dsn = database_dsn;
    if (!database_password_file.empty()) {
        std::ifstream in(database_password_file);
        if (!in) throw std::runtime_error("option database.password_file: cannot read " + database_password_file);
        std::string password;
        std::getline(in, password);
        std::string quoted = "'";
        for (char ch : password) {
            if (ch == '\'' || ch == '\\') quoted.push_back('\\');
            quoted.push_back(ch);
        }
        quoted.push_back('\'');
        dsn += " password=" + quoted;
    }
    return dsn;
}

std::string Config::redactedDsn() const {
    // The DSN option never contains the password (it comes from a file), but an
    // operator may have put one there anyway: mask any password=... term.
    std::string out;
    std::istringstream in(database_dsn);
    std::string term;
    while (in >> term) {
        if (term.rfind("password=", 0) == 0) term = "password=***";
        if (!out.empty()) out.push_back(' ');
        out += term;
    }
    return out;
}

ParsedArgs parseArgs(int argc, char** argv, const std::string& program, const std::vector<ExtraFlag>& extra_flags,
                     std::vector<std::pair<std::string, std::string>>* extra_values) {
    ParsedArgs parsed;
    Config& c = parsed.config;
    std::string socket_mode;
    std::string previous_keys;

    po::options_description generic("Options of " + program);
    generic.add_options()
        ("help,h", "print this help and exit")
        ("config,c", po::value(&c.config_file)->default_value("/etc/barbican/barbican.conf"), "configuration file (INI)");
    std::vector<std::string> extra_storage(extra_flags.size());
    po::options_description extra("Program flags");
    for (size_t i = 0; i < extra_flags.size(); ++i) {
        if (extra_flags[i].takes_value)
            extra.add_options()(extra_flags[i].name.c_str(), po::value(&extra_storage[i]), extra_flags[i].description.c_str());
        else
            extra.add_options()(extra_flags[i].name.c_str(), extra_flags[i].description.c_str());
    }
    po::options_description file = fileOptions(c, socket_mode, previous_keys);
    po::options_description hidden;
    hidden.add_options()("positional", po::value(&parsed.positional)->multitoken());
    po::positional_options_description positional;
    positional.add("positional", -1);

    po::options_description cmdline;
    cmdline.add(generic).add(extra).add(file).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(cmdline).positional(positional).run(), vm);
        if (vm.count("help")) {
            std::ostringstream help;
            help << "Usage: " << program << " [--config FILE] [--section.option=value ...]\n\n" << generic;
            if (!extra_flags.empty()) help << "\n" << extra;
            help << "\nConfiguration options (file sections, or --section.option on the command line):\n" << file;
            parsed.help = true;
            parsed.help_text = help.str();
            return parsed;
        }
        const std::string config_path = vm.count("config") ? vm["config"].as<std::string>() : "";
        std::ifstream in(config_path);
        if (!in) throw std::runtime_error("option --config: cannot read " + config_path);
        po::store(po::parse_config_file(in, file, /*allow_unregistered=*/false), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw std::runtime_error(e.what());
    }
    validate(c, socket_mode, previous_keys);
    if (extra_values) {
        for (size_t i = 0; i < extra_flags.size(); ++i) {
            if (vm.count(extra_flags[i].name)) extra_values->emplace_back(extra_flags[i].name, extra_storage[i]);
        }
    }
    return parsed;
}

}  // namespace core
