// Transport keys: /v1/transport_keys and /v1/transport_keys/{id}. The
// backend offers none of its own; service admins manage these rows so that
// clients and admin tools that use the routes keep working.

#include <boost/json.hpp>

#include "core/error.h"
#include "core/json_body.h"
#include "core/timestamp.h"
#include "db/transport_key_repository.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"

namespace fcgi {
namespace {

using core::policy::Rule;

constexpr std::string_view kSchema = "Transport Key";
constexpr std::size_t kMaxPluginNameLength = 255;
constexpr const char* kCollection = "transport_keys";

// A required string field that must not be empty once trimmed (the body's
// strings are trimmed by parseJsonBody).
std::string requiredNonEmpty(const boost::json::object& body, std::string_view field, std::size_t max_length) {
    std::optional<std::string> value = core::optionalString(body, kSchema, field, max_length);
    if (!value || value->empty()) core::throwSchemaError(kSchema, std::string(field) + " must be provided", field);
    return std::move(*value);
}

const std::string& keyIdOf(const Request& request) {
    const std::string& id = request.param("id");
    if (!isCanonicalUuidV4(id)) core::throwNotFound("Not Found. Provided transport key id is invalid.");
    return id;
}

Response listKeys(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::TransportKeysGet, request);
    const core::Paging paging = pagingOf(app, request);
    const std::optional<std::string> plugin_name = request.queryValue("plugin_name");
    db::TransportKeyPage page;
    app.db.run([&](soci::session& sql) {
        page = db::listTransportKeys(sql, plugin_name, paging.offset, paging.limit);
    });

    boost::json::array refs;
    for (const std::string& id : page.ids) refs.emplace_back(hrefFor(request, kCollection, id));
    boost::json::object body{{"transport_keys", std::move(refs)}, {"total", page.total}};
    addPagingLinks(body, request, kCollection, paging, page.total, page.ids.size());
    return jsonResponse(200, body);
}

Response createKey(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::TransportKeysPost, request);
    requireJsonContentType(request);
    const boost::json::object body = parseJsonBody(app, request);
    const std::string plugin_name = requiredNonEmpty(body, "plugin_name", kMaxPluginNameLength);
    // The key is bounded by the request size limit only, like Barbican's
    // text column.
    const std::string transport_key = requiredNonEmpty(body, "transport_key", app.config.max_request_bytes);

    std::string id;
    app.db.run([&](soci::session& sql) { id = db::insertTransportKey(sql, plugin_name, transport_key, core::nowUtc()); });
    const std::string ref = hrefFor(request, kCollection, id);
    Response response = jsonResponse(201, boost::json::object{{"transport_key_ref", ref}});
    response.setHeader("Location", ref);
    return response;
}

// Barbican 15.0.1 returns 406 to "Accept: application/json" on this route
// and on DELETE below, and accepts only an absent Accept or */*. This service
// does not copy that, so a client that requests JSON gets the JSON body.
// Other types still get 406.
Response getKey(App& app, Request& request) {
    const std::string& id = keyIdOf(request);
    requireJsonAccept(request);
    authorize(Rule::TransportKeyGet, request);
    std::optional<db::TransportKeyRecord> key;
    app.db.run([&](soci::session& sql) { key = db::findTransportKey(sql, id); });
    // Barbican 15.0.1 returns 500 for an unknown id; this service returns 404.
    if (!key) core::throwNotFound("Not Found. Transport Key not found.");

    return jsonResponse(200, boost::json::object{{"transport_key_ref", hrefFor(request, kCollection, key->id)},
                                                 {"plugin_name", key->plugin_name},
                                                 {"transport_key", key->transport_key},
                                                 {"status", key->status},
                                                 {"created", key->created},
                                                 {"updated", key->updated}});
}

Response deleteKey(App& app, Request& request) {
    const std::string& id = keyIdOf(request);
    requireJsonAccept(request);
    authorize(Rule::TransportKeyDelete, request);
    bool deleted = false;
    app.db.run([&](soci::session& sql) { deleted = db::deleteTransportKey(sql, id, core::nowUtc()); });
    if (!deleted) core::throwNotFound("Not Found. Transport Key not found.");
    return emptyResponse(204);
}

}  // namespace

void registerTransportKeyRoutes(Router& router) {
    router.add("GET", "/v1/transport_keys", listKeys);
    router.add("POST", "/v1/transport_keys", createKey);
    router.add("GET", "/v1/transport_keys/{id}", getKey);
    router.add("DELETE", "/v1/transport_keys/{id}", deleteKey);
}

}  // namespace fcgi
