#include "fcgi/dispatch.h"

#include <algorithm>

#include "core/log.h"
#include "core/microversion.h"
#include "fcgi/error_response.h"
#include "fcgi/keystone_auth.h"

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

// Whether `text` is valid UTF-8 without control characters, so it can be
// stored in a PostgreSQL text column and written to a log line.
bool isPrintableUtf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f) return false;
        size_t extra = 0;
        char32_t code = 0;
        if (byte < 0x80) {
            ++i;
            continue;
        } else if ((byte & 0xe0) == 0xc0) {
            extra = 1;
            code = byte & 0x1f;
        } else if ((byte & 0xf0) == 0xe0) {
            extra = 2;
            code = byte & 0x0f;
        } else if ((byte & 0xf8) == 0xf0) {
            extra = 3;
            code = byte & 0x07;
        } else {
            return false;
        }
        if (i + extra >= text.size()) return false;
        for (size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xc0) != 0x80) return false;
            code = (code << 6) | (next & 0x3f);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        static constexpr char32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
        if (code < kMinimum[extra] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return false;
        i += extra + 1;
    }
    return true;
}

// Returns the trimmed header value, or throws InvalidInput naming the header
// when it is too long or not printable UTF-8.
std::string identityHeader(const Request& request, std::string_view lower_name, std::string_view display_name) {
    const auto value = request.header(lower_name);
    if (!value) return {};
    std::string text = trimmed(*value);
    if (text.size() > kMaxIdentityLength)
        throw core::Error(core::ErrorKind::InvalidInput,
                          "Invalid " + std::string(display_name) + ": longer than 255 characters.");
    if (!isPrintableUtf8(text))
        throw core::Error(core::ErrorKind::InvalidInput,
                          "Invalid " + std::string(display_name) + ": not printable UTF-8.");
    return text;
}

// Fills request.identity from the identity headers; throws InvalidInput when
// X-Project-Id is missing or unusable.
void readIdentity(Request& request) {
    const std::string project_id = identityHeader(request, "x-project-id", "X-Project-Id");
    if (project_id.empty()) throw core::Error(core::ErrorKind::InvalidInput, "Missing X-Project-Id");
    request.identity.project_id = project_id;

    std::string user_id = identityHeader(request, "x-user-id", "X-User-Id");
    if (!user_id.empty()) request.identity.user_id = std::move(user_id);

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

bool isVersioned(const Request& request) {
    return request.path == "/v1" || request.path.rfind("/v1/", 0) == 0;
}

bool usesKeystone(const App& app) { return app.config.auth_mode == "keystone"; }

// Fills request.identity from the token in X-Auth-Token, validated by
// Keystone. Returns false when the token is missing or not accepted.
// X-Project-Id, X-User-Id and X-Roles are never read in this mode.
bool authenticateToken(App& app, Request& request) {
    if (app.keystone == nullptr)
        throw core::Error(core::ErrorKind::Internal, "no token validator", "auth.mode is keystone but App.keystone is not set");
    const auto token = request.header("x-auth-token");
    auto identity = app.keystone->authenticate(token ? *token : std::string_view());
    if (!identity) return false;
    request.identity = std::move(*identity);
    return true;
}

Response unauthorized(const App& app) {
    Response response = errorResponse(401, "The request you have made requires authentication.");
    response.setHeader("WWW-Authenticate", app.keystone->challenge());
    return response;
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
    if (isVersioned(request) && !usesKeystone(app)) readIdentity(request);

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
        // In keystone mode the token is checked first, as keystonemiddleware
        // does in front of Barbican: a request without a valid token gets
        // 401 whatever else is wrong with it.
        if (usesKeystone(app) && isVersioned(request) && !authenticateToken(app, request)) {
            response = unauthorized(app);
        } else {
            request.microversion = core::parseMicroversion(request.header("openstack-api-version")).minor;
            version_ok = true;
            response = route(app, request);
        }
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
