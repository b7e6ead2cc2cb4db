#pragma once

#include <boost/json/value.hpp>

#include "core/query.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fcgi {

// Caller identity as set by the layer in front (X-Project-Id, X-User-Id,
// X-Roles). Roles are trimmed and lower-cased; an absent or empty X-Roles
// header means "admin", as in Barbican's unauthenticated mode.
struct Identity {
    std::string project_id;
    std::optional<std::string> user_id;
    std::vector<std::string> roles;

    bool hasRole(std::string_view role) const;
};

struct Request {
    std::string method;
    std::string path;       // decoded path, one trailing slash removed
    std::string raw_query;  // as received, without '?'
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string request_id;
    std::string base_href;  // scheme://host[:port], no trailing slash
    int microversion = 0;   // minor version of 1.x
    Identity identity;
    std::map<std::string, std::string> params;  // path parameters of the route
    std::string route;                          // route template, for logs

    std::optional<std::string_view> header(std::string_view lower_name) const;
    const std::string& param(const std::string& name) const { return params.at(name); }
    // Query parameters, percent-decoded, in order of appearance.
    const core::QueryParams& query() const;
    std::optional<std::string> queryValue(std::string_view name) const;

private:
    mutable std::optional<core::QueryParams> query_cache_;
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // The body contains a decrypted payload: the worker wipes it once sent.
    bool sensitive = false;

    void setHeader(std::string name, std::string value);
};

// 200/201/... with a JSON body and Content-Type application/json.
Response jsonResponse(int status, const boost::json::value& body);
// A response with no body (204 and friends).
Response emptyResponse(int status);

// Absolute hrefs: "{base}/v1/{collection}/{id}".
std::string hrefFor(const Request& request, std::string_view collection, std::string_view id);

}  // namespace fcgi
