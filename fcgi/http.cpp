#include "fcgi/http.h"

#include <boost/json/serialize.hpp>

#include "core/query.h"

namespace fcgi {

bool Identity::hasRole(std::string_view role) const {
    for (const auto& r : roles) {
        if (r == role) return true;
    }
    return false;
}

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
    auto it = headers.find(std::string(lower_name));
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
}

const core::QueryParams& Request::query() const {
    if (!query_cache_) query_cache_ = core::parseQuery(raw_query);
    return *query_cache_;
}

std::optional<std::string> Request::queryValue(std::string_view name) const {
    for (const auto& [key, value] : query()) {
        if (key == name) return value;
    }
    return std::nullopt;
}

void Response::setHeader(std::string name, std::string value) {
    for (auto& [n, v] : headers) {
        if (n == name) {
            v = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

Response jsonResponse(int status, const boost::json::value& body) {
    Response response;
    response.status = status;
    response.body = boost::json::serialize(body);
    response.headers.emplace_back("Content-Type", "application/json");
    return response;
}

Response emptyResponse(int status) {
    Response response;
    response.status = status;
    return response;
}

std::string hrefFor(const Request& request, std::string_view collection, std::string_view id) {
    std::string href = request.base_href;
    href.append("/v1/").append(collection);
    if (!id.empty()) href.append("/").append(id);
    return href;
}

}  // namespace fcgi
