// Version discovery (GET / and GET /v1) and the health route.
#include <boost/json.hpp>

#include "core/media_type.h"
#include "fcgi/app.h"
#include "fcgi/controllers.h"
#include "fcgi/error_response.h"

namespace fcgi {
namespace {

constexpr const char* kBuildVersion = "barbican-cpp 1.0.0";

boost::json::array versionLinks(const Request& request) {
    return boost::json::array{
        boost::json::object{{"rel", "self"}, {"href", request.base_href + "/v1/"}},
        boost::json::object{{"rel", "describedby"}, {"type", "text/html"}, {"href", "https://docs.openstack.org/"}},
    };
}

// The v1 entry in the shape of the requested microversion: 1.0 keeps the
// original layout, 1.1 and later add min/max versions.
boost::json::object versionEntry(const Request& request) {
    if (request.microversion == 0) {
        return boost::json::object{
            {"id", "v1"},
            {"status", "stable"},
            {"links", versionLinks(request)},
            {"media-types", boost::json::array{boost::json::object{
                                {"base", "application/json"}, {"type", "application/vnd.openstack.key-manager-v1+json"}}}},
        };
    }
    return boost::json::object{
        {"id", "v1"}, {"status", "CURRENT"}, {"min_version", "1.0"}, {"max_version", "1.2"}, {"links", versionLinks(request)},
    };
}

Response getRoot(App&, Request& request) {
    if (request.queryValue("build")) return jsonResponse(200, boost::json::object{{"build", kBuildVersion}});
    if (auto accept = request.header("accept"); accept && accept->find("application/json-home") != std::string_view::npos) {
        Response response = emptyResponse(302);
        response.setHeader("Location", request.base_href + "/v1/");
        return response;
    }
    if (request.microversion == 0)
        return jsonResponse(300, boost::json::object{{"versions", boost::json::object{{"values", boost::json::array{versionEntry(request)}}}}});
    return jsonResponse(300, boost::json::object{{"versions", boost::json::array{versionEntry(request)}}});
}

Response getV1(App&, Request& request) {
    return jsonResponse(200, boost::json::object{{"version", versionEntry(request)}});
}

// Reports whether PostgreSQL and Redis respond: 200 "OK", or 503 with the
// failing parts named.
Response getHealth(App& app, Request&) {
    const bool database = app.db.ping();
    const bool redis = app.queue.ping();
    if (database && redis) {
        Response response;
        response.status = 200;
        response.body = "OK";
        response.setHeader("Content-Type", "text/plain; charset=UTF-8");
        return response;
    }
    std::string failing;
    if (!database) failing = "database";
    if (!redis) failing += failing.empty() ? "redis" : ", redis";
    return errorResponse(503, "Unhealthy: " + failing + " unavailable.");
}

}  // namespace

void registerVersionRoutes(Router& router) {
    router.add("GET", "/", getRoot);
    router.add("GET", "/v1", getV1);
    router.add("GET", "/healthcheck", getHealth);
}

}  // namespace fcgi
