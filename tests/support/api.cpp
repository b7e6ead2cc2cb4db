#include "tests/support/api.h"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "core/crypto.h"

namespace testsupport {

std::string newProjectId() { return "p-" + core::newUuidV4(); }

Headers identity(const std::string& project, const std::string& roles, const std::string& user) {
    Headers headers{{"X-Project-Id", project}};
    if (!roles.empty()) headers.emplace_back("X-Roles", roles);
    if (!user.empty()) headers.emplace_back("X-User-Id", user);
    return headers;
}

Headers withJson(Headers base) {
    base.emplace_back("Content-Type", "application/json");
    return base;
}

std::string idOf(const std::string& href) {
    std::string trimmed = href;
    while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
    return trimmed.substr(trimmed.rfind('/') + 1);
}

std::string pathOf(const std::string& href) {
    const auto scheme = href.find("://");
    if (scheme == std::string::npos) return href;
    const auto slash = href.find('/', scheme + 3);
    return slash == std::string::npos ? "/" : href.substr(slash);
}

std::string createTextSecret(const HttpClient& client, const Headers& who, const std::string& payload,
                             const std::string& name) {
    boost::json::object body{{"name", name}, {"payload", payload}, {"payload_content_type", "text/plain"}};
    const HttpResponse response = client.request("POST", "/v1/secrets", withJson(who), boost::json::serialize(body));
    INFO(response.body);
    REQUIRE(response.status == 201);
    return std::string(response.json().at("secret_ref").as_string());
}

}  // namespace testsupport
