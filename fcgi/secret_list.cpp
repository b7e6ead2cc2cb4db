// GET /v1/secrets: filters, sort and paging.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "core/query.h"
#include "db/secret_repository.h"
#include "fcgi/controller_support.h"
#include "fcgi/secret_handlers.h"
#include "fcgi/secret_support.h"

namespace fcgi {
namespace {

// Percent-encodes like Python's urllib.parse.quote_plus: unreserved
// characters stay, a space becomes '+', every other byte %XX.
std::string formEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(c);
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0F]);
        }
    }
    return out;
}

// The query parameters other than limit and offset, encoded, each starting
// with '&', for the next and previous links.
std::string otherQueryParameters(const core::QueryParams& params) {
    std::string extra;
    for (const auto& [name, value] : params) {
        if (name == "limit" || name == "offset") continue;
        extra += "&" + formEncode(name) + "=" + formEncode(value);
    }
    return extra;
}

// A non-empty filter value, or none.
std::optional<std::string> filterValue(const core::QueryParams& params, std::string_view name) {
    const std::optional<std::string_view> value = core::queryValue(params, name);
    if (!value || value->empty()) return std::nullopt;
    return std::string(*value);
}

db::SecretListQuery listQueryOf(const App& app, const Request& request) {
    const core::QueryParams& params = request.query();
    db::SecretListQuery query;
    query.project_id = request.identity.project_id;

    if (const auto acl_only = core::queryValue(params, "acl_only")) {
        std::string lowered(*acl_only);
        std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        query.acl_only = lowered == "true";
        query.acl_user = request.identity.user_id;
    }
    // Upstream decodes the name filter a second time.
    if (const auto name = filterValue(params, "name")) query.name = core::percentDecode(*name);
    query.algorithm = filterValue(params, "alg");
    query.mode = filterValue(params, "mode");
    query.secret_type = filterValue(params, "secret_type");
    if (const auto bits = filterValue(params, "bits")) {
        // Not an integer or not positive: the filter is ignored, as upstream does.
        if (const std::optional<std::int64_t> parsed = core::parsePythonInt(*bits); parsed && *parsed > 0)
            query.bit_length = *parsed;
    }
    if (const auto created = core::queryValue(params, "created"))
        query.created = core::parseDateFilter(*created, "created");
    if (const auto updated = core::queryValue(params, "updated"))
        query.updated = core::parseDateFilter(*updated, "updated");
    if (const auto expiration = core::queryValue(params, "expiration"))
        query.expiration = core::parseDateFilter(*expiration, "expiration");
    if (const auto sort = core::queryValue(params, "sort")) query.sort = core::parseSortSpec(*sort);

    const core::Paging paging = pagingOf(app, request);
    query.offset = paging.offset;
    query.limit = paging.limit;
    query.consumers = request.microversion >= 1;
    return query;
}

}  // namespace

Response listSecrets(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(core::policy::Rule::SecretsGet, request);
    const db::SecretListQuery query = listQueryOf(app, request);

    db::SecretPage page;
    app.db.run([&](soci::session& sql) { page = db::listSecrets(sql, query); });

    boost::json::array secrets;
    for (const db::SecretRow& secret : page.rows) secrets.push_back(secretJson(request, secret));
    boost::json::object body;
    body["secrets"] = std::move(secrets);
    body["total"] = page.total;
    addPagingLinks(body, request, "secrets", core::Paging{query.offset, query.limit}, page.total, page.rows.size(),
                   otherQueryParameters(request.query()));
    return jsonResponse(200, body);
}

}  // namespace fcgi
