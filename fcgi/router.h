#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fcgi/http.h"

namespace fcgi {

struct App;

using Handler = std::function<Response(App&, Request&)>;

// Maps "METHOD /v1/secrets/{id}" templates to handlers. A segment in braces
// matches any one path segment and is stored in Request::params. Literal
// segments win over parameters, so "/v1/secret-stores/preferred" and
// "/v1/secret-stores/{id}" can coexist.
class Router {
public:
    void add(std::string method, std::string path_template, Handler handler);

    struct Match {
        const Handler* handler = nullptr;  // null: no route for this method
        std::string route;                 // matched template
        std::vector<std::string> allowed;  // methods of the path, for 405
        bool path_known = false;
    };
    Match match(const std::string& method, const std::string& path, std::map<std::string, std::string>& params) const;

private:
    struct Route {
        std::string method;
        std::string path_template;
        std::vector<std::string> segments;
        int literal_count = 0;
        Handler handler;
    };
    std::vector<Route> routes_;
};

// Splits "/a/b/c" into {"a", "b", "c"}; empty segments are kept so "//" does
// not match a route.
std::vector<std::string> splitPath(const std::string& path);

// Registers every route of the API; defined in routes.cpp.
void registerRoutes(Router& router);

}  // namespace fcgi
