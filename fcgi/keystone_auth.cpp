#include "fcgi/keystone_auth.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "core/crypto.h"
#include "core/error.h"
#include "core/log.h"
#include "core/timestamp.h"

namespace fcgi {
namespace {

// Description of the 503 sent while Keystone cannot validate tokens. It is
// the text keystonemiddleware sends.
constexpr const char* kUnavailable = "The Keystone service is temporarily unavailable.";

// Keystone's Fernet tokens are a few hundred bytes long, and nginx rejects
// header lines over 8 KiB anyway.
constexpr std::size_t kMaxTokenLength = 8192;

// A service token is renewed this long before it expires, or after half its
// lifetime when that is shorter.
constexpr auto kRenewMargin = std::chrono::seconds(60);

[[noreturn]] void throwUnavailable(std::string detail) {
    throw core::Error(core::ErrorKind::Unavailable, kUnavailable, std::move(detail));
}

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// A token is sent in a header line to Keystone, so only visible ASCII is
// accepted.
bool isWellFormed(std::string_view token) {
    if (token.empty() || token.size() > kMaxTokenLength) return false;
    return std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// First 12 hex digits of the token's SHA-256 digest, to correlate log lines
// without logging the token.
std::string fingerprint(const std::string& key) {
    std::string out;
    char hex[3];
    for (std::size_t i = 0; i < 6 && i < key.size(); ++i) {
        std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(key[i]));
        out += hex;
    }
    return out;
}

std::optional<std::chrono::system_clock::time_point> timeField(const boost::json::object& token, const char* name) {
    const auto* value = token.if_contains(name);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    const auto parsed = core::parseIso8601(std::string_view(value->as_string()));
    if (!parsed) return std::nullopt;
    return std::chrono::time_point_cast<std::chrono::system_clock::duration>(*parsed);
}

std::optional<std::string> idOf(const boost::json::object& token, const char* name) {
    const auto* value = token.if_contains(name);
    if (value == nullptr || !value->is_object()) return std::nullopt;
    const auto* id = value->as_object().if_contains("id");
    if (id == nullptr || !id->is_string() || id->as_string().empty()) return std::nullopt;
    return std::string(id->as_string());
}

void logRejected(const char* reason, const std::string& key) {
    core::log::info("token_rejected").kv("reason", reason).kv("token_sha256", fingerprint(key));
}

CurlSettings curlSettingsOf(const core::Config& config) {
    CurlSettings settings;
    settings.connect_timeout_ms = config.keystone_connect_timeout_ms;
    settings.timeout_ms = config.keystone_timeout_ms;
    settings.verify_tls = config.keystone_verify_tls;
    settings.ca_file = config.keystone_ca_file;
    return settings;
}

}  // namespace

std::optional<KeystoneToken> parseKeystoneToken(std::string_view body) {
    boost::json::error_code ec;
    const boost::json::value root = boost::json::parse(body, ec);
    if (ec || !root.is_object()) return std::nullopt;
    const auto* token_value = root.as_object().if_contains("token");
    if (token_value == nullptr || !token_value->is_object()) return std::nullopt;
    const boost::json::object& token = token_value->as_object();

    KeystoneToken out;
    const auto user_id = idOf(token, "user");
    const auto expires_at = timeField(token, "expires_at");
    if (!user_id || !expires_at) return std::nullopt;
    out.user_id = *user_id;
    out.expires_at = *expires_at;
    out.issued_at = timeField(token, "issued_at").value_or(std::chrono::system_clock::time_point{});
    out.project_id = idOf(token, "project");

    if (const auto* roles = token.if_contains("roles"); roles != nullptr && roles->is_array()) {
        for (const auto& role : roles->as_array()) {
            if (!role.is_object()) continue;
            const auto* name = role.as_object().if_contains("name");
            if (name != nullptr && name->is_string() && !name->as_string().empty())
                out.roles.push_back(lowered(std::string(name->as_string())));
        }
    }
    return out;
}

KeystoneAuth::KeystoneAuth(const core::Config& config)
    : config_(config),
      tokens_url_(config.keystone_auth_url + "/v3/auth/tokens?nocatalog"),
      challenge_("Keystone uri=\"" + config.keystone_www_authenticate_uri + "\""),
      http_(curlSettingsOf(config)),
      cache_(static_cast<std::size_t>(config.keystone_cache_size), std::chrono::seconds(config.keystone_cache_seconds)) {}

std::optional<Identity> KeystoneAuth::authenticate(std::string_view token) {
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token.empty()) {
        core::log::info("token_rejected").kv("reason", "no X-Auth-Token");
        return std::nullopt;
    }
    const std::string key = TokenCache::keyOf(token);
    if (!isWellFormed(token)) {
        logRejected("malformed token", key);
        return std::nullopt;
    }
    const Clock::time_point now = Clock::now();
    if (auto cached = cache_.find(key, now)) return cached;
    return validate(token, key, now);
}

std::optional<Identity> KeystoneAuth::validate(std::string_view token, const std::string& key, Clock::time_point now) {
    const CurlResponse response = requestValidation(token);
    // Keystone returns 404 for a token that is invalid, expired or revoked.
    if (response.status == 404) {
        logRejected("invalid, expired or revoked", key);
        return std::nullopt;
    }
    if (response.status != 200) {
        throwUnavailable("token validation: Keystone returned HTTP " + std::to_string(response.status));
    }
    const auto parsed = parseKeystoneToken(response.body);
    if (!parsed) throwUnavailable("token validation: Keystone returned a body that is not a v3 token");
    if (!parsed->project_id) {
        logRejected("not scoped to a project", key);
        return std::nullopt;
    }
    if (parsed->expires_at <= now) {
        logRejected("expired", key);
        return std::nullopt;
    }

    Identity identity;
    identity.project_id = *parsed->project_id;
    identity.user_id = parsed->user_id;
    identity.roles = parsed->roles;
    cache_.insert(key, identity, parsed->expires_at, now);
    return identity;
}

// Sends the validation request. A 401 means that Keystone no longer accepts
// the service token, so the token is renewed and the request sent once more.
CurlResponse KeystoneAuth::requestValidation(std::string_view token) {
    ensureServiceToken(Clock::now());
    for (int attempt = 0;; ++attempt) {
        CurlResponse response = http_.get(
            tokens_url_, {"X-Auth-Token: " + service_token_, "X-Subject-Token: " + std::string(token), "Accept: application/json"});
        if (response.status == 0) throwUnavailable("token validation: " + response.error + " (" + tokens_url_ + ")");
        if (response.status == 401 && attempt == 0) {
            core::log::info("keystone_service_token_rejected").kv("action", "renewing");
            issueServiceToken();
            continue;
        }
        if (response.status == 401 || response.status == 403) {
            throwUnavailable("token validation: Keystone returned HTTP " + std::to_string(response.status) +
                             " for the service user '" + config_.keystone_username +
                             "'; it needs the admin or service role in project '" + config_.keystone_project_name + "'");
        }
        return response;
    }
}

void KeystoneAuth::ensureServiceToken(Clock::time_point now) {
    if (service_token_.empty() || now >= service_renew_at_) issueServiceToken();
}

void KeystoneAuth::issueServiceToken() {
    core::wipeString(service_token_);
    service_token_.clear();

    std::string password = readServicePassword();
    boost::json::object user{{"name", config_.keystone_username},
                             {"domain", {{"name", config_.keystone_user_domain_name}}},
                             {"password", password}};
    boost::json::object auth{
        {"identity", {{"methods", boost::json::array{"password"}}, {"password", {{"user", std::move(user)}}}}},
        {"scope", {{"project", {{"name", config_.keystone_project_name},
                                {"domain", {{"name", config_.keystone_project_domain_name}}}}}}}};
    std::string body = boost::json::serialize(boost::json::object{{"auth", std::move(auth)}});
    core::wipeString(password);

    const CurlResponse response =
        http_.post(tokens_url_, {"Content-Type: application/json", "Accept: application/json"}, body);
    core::wipeString(body);

    if (response.status == 0) throwUnavailable("service token: " + response.error + " (" + tokens_url_ + ")");
    if (response.status != 201) {
        throwUnavailable("service token: Keystone returned HTTP " + std::to_string(response.status) +
                         " for user '" + config_.keystone_username + "' in project '" + config_.keystone_project_name +
                         "'; check the [keystone] options and the password file");
    }
    const auto subject = response.header("x-subject-token");
    const auto parsed = parseKeystoneToken(response.body);
    if (!subject || subject->empty() || !parsed) throwUnavailable("service token: Keystone's response has no token");

    const Clock::time_point now = Clock::now();
    const Clock::time_point issued = parsed->issued_at > Clock::time_point{} ? parsed->issued_at : now;
    const auto margin = std::min<Clock::duration>(kRenewMargin, (parsed->expires_at - issued) / 2);
    service_token_ = *subject;
    service_renew_at_ = parsed->expires_at - margin;
    core::log::info("keystone_service_token_issued")
        .kv("user", config_.keystone_username)
        .kv("expires_at", core::formatTimestamp(std::chrono::time_point_cast<std::chrono::microseconds>(parsed->expires_at)));
}

std::string KeystoneAuth::readServicePassword() const {
    std::ifstream in(config_.keystone_password_file);
    std::string password;
    if (!in || !std::getline(in, password)) {
        throwUnavailable("option keystone.password_file: cannot read " + config_.keystone_password_file);
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
}

}  // namespace fcgi
