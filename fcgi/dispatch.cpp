#include "fcgi/dispatch.h"

#include <algorithm>

#include "core/log.h"
#include "core/microversion.h"
#include "fcgi/error_response.h"

namespace fcgi {
namespace {

constexpr std::size_t kMaxIdentityLength = 255;

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return std::string(text.substr(first, last - first + 1));
}

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Fills request.identity from the identity headers; throws InvalidInput when
// X-Project-Id is missing or unusable.
void readIdentity(Request& request) {
    const auto project = request.header("x-project-id");
    const std::string project_id = project ? trimmed(*project) : std::string();
    if (project_id.empty()) throw core::Error(core::ErrorKind::InvalidInput, "Missing X-Project-Id");
    if (project_id.size() > kMaxIdentityLength)
        throw core::Error(core::ErrorKind::InvalidInput, "Invalid X-Project-Id: longer than 255 characters.");
    request.identity.project_id = project_id;

    if (const auto user = request.header("x-user-id")) {
        std::string user_id = trimmed(*user);
        if (user_id.size() > kMaxIdentityLength)
            throw core::Error(core::ErrorKind::InvalidInput, "Invalid X-User-Id: longer than 255 characters.");
        if (!user_id.empty()) request.identity.user_id = std::move(user_id);
    }

    request.identity.roles.clear();
    if (const auto roles = request.header("x-roles")) {
        std::string_view rest = *roles;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string role = lowered(trimmed(rest.substr(0, comma)));
            if (!role.empty()) request.identity.roles.push_back(std::move(role));
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    if (request.identity.roles.empty()) request.identity.roles.push_back("admin");
}

std::string joinMethods(std::vector<std::string> methods) {
    std::sort(methods.begin(), methods.end());
    methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
    std::string out;
    for (const auto& m : methods) {
        if (!out.empty()) out += ", ";
        out += m;
    }
    return out;
}

Response route(App& app, Request& request) {
    const bool versioned = request.path == "/v1" || request.path.rfind("/v1/", 0) == 0;
    if (versioned) readIdentity(request);

    Router::Match match = app.router.match(request.method, request.path, request.params);
    if (!match.path_known) {
        request.route = "(unknown)";
        return errorResponse(404, "The resource could not be found.");
    }
    if (match.handler == nullptr) {
        request.route = "(method)";
        Response response = errorResponse(405, "The method is not allowed for the requested URL.");
        response.setHeader("Allow", joinMethods(match.allowed));
        return response;
    }
    request.route = match.route;
    return (*match.handler)(app, request);
}

}  // namespace

Response dispatch(App& app, Request& request) {
    Response response;
    bool version_ok = false;
    try {
        request.microversion = core::parseMicroversion(request.header("openstack-api-version")).minor;
        version_ok = true;
        response = route(app, request);
    } catch (const core::Error& e) {
        response = errorResponse(e);
        if (response.status >= 500) {
            core::log::error("request_failed")
                .kv("request_id", request.request_id)
                .kv("route", request.route)
                .kv("error", e.what())
                .kv("detail", e.logDetail());
        }
    } catch (const std::exception& e) {
        response = errorResponse(500, "Internal failure seen - please contact site administrator.");
        core::log::error("request_failed").kv("request_id", request.request_id).kv("route", request.route).kv("error", e.what());
    } catch (...) {
        response = errorResponse(500, "Internal failure seen - please contact site administrator.");
        core::log::error("request_failed").kv("request_id", request.request_id).kv("route", request.route).kv("error", "unknown exception");
    }

    // A 200 without body becomes 204, as in Barbican's framework.
    if (response.status == 200 && response.body.empty()) response.status = 204;

    const int minor = version_ok ? request.microversion : 0;
    response.setHeader("OpenStack-API-Version", "key-manager 1." + std::to_string(minor));
    response.setHeader("Vary", "OpenStack-API-Version");
    if (!request.request_id.empty()) response.setHeader("x-openstack-request-id", request.request_id);
    return response;
}

}  // namespace fcgi
