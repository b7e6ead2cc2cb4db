#include "fcgi/controller_support.h"

#include "core/error.h"
#include "core/json_body.h"
#include "core/media_type.h"

namespace fcgi {

core::policy::Caller callerOf(const Request& request) {
    return core::policy::Caller{request.identity.project_id, request.identity.user_id, request.identity.roles};
}

void authorize(core::policy::Rule rule, const Request& request, const core::policy::Target* target) {
    if (!core::policy::allowed(rule, callerOf(request), target))
        throw core::Error(core::ErrorKind::Forbidden, core::policy::deniedMessage(rule));
}

void requireJsonContentType(const Request& request) {
    if (!core::isJsonContentType(request.header("content-type")))
        throw core::Error(core::ErrorKind::UnsupportedMediaType,
                          "Unexpected content type. Expected content types are: ['application/json']");
}

void requireJsonAccept(const Request& request) {
    if (!core::acceptsJson(request.header("accept")))
        throw core::Error(core::ErrorKind::NotAcceptable,
                          "Acceptable representations: ['application/json']");
}

boost::json::object parseJsonBody(const App& app, const Request& request) {
    return core::parseJsonObject(request.body, app.config.max_request_bytes);
}

bool isCanonicalUuidV4(std::string_view id) {
    if (id.size() != 36) return false;
    for (size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return id[14] == '4' && (id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

core::Paging pagingOf(const App& app, const Request& request) {
    return core::parsePaging(request.query(), app.config.default_limit, app.config.max_limit);
}

void addPagingLinks(boost::json::object& body, const Request& request, std::string_view collection_path,
                    const core::Paging& paging, std::int64_t total, std::size_t page_size, std::string_view extra_query) {
    if (page_size == 0) return;
    const std::string base = request.base_href + "/v1/" + std::string(collection_path);
    auto link = [&](std::int64_t offset) {
        return base + "?limit=" + std::to_string(paging.limit) + "&offset=" + std::to_string(offset) +
               std::string(extra_query);
    };
    if (paging.offset > 0) body["previous"] = link(std::max<std::int64_t>(0, paging.offset - paging.limit));
    if (total > paging.offset + paging.limit) body["next"] = link(paging.offset + paging.limit);
}

boost::json::value nullableString(const std::optional<std::string>& value) {
    if (!value) return nullptr;
    return boost::json::string(*value);
}

}  // namespace fcgi
