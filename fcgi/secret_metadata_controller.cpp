// User metadata of a secret: /v1/secrets/{id}/metadata and
// /v1/secrets/{id}/metadata/{key}.

#include <boost/json/object.hpp>

#include "core/error.h"
#include "core/secret_rules.h"
#include "db/secret_metadata_repository.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"
#include "fcgi/secret_support.h"

namespace fcgi {
namespace {

using core::policy::Rule;

constexpr const char* kMetadatumNotFound = "Secret metadata not found.";

// Loads the secret (with its metadata when `with_metadata`) and applies `rule`.
db::SecretRow authorizedSecret(App& app, const Request& request, Rule rule, bool with_metadata) {
    db::SecretLookup lookup;
    lookup.metadata = with_metadata;
    db::SecretRow secret = loadSecret(app, request, lookup);
    const core::policy::Target target = secretTarget(secret);
    authorize(rule, request, &target);
    return secret;
}

void throwUnlessDone(db::MetadataWriteResult result) {
    switch (result) {
    case db::MetadataWriteResult::Done: return;
    case db::MetadataWriteResult::KeyConflict:
        throw core::Error(core::ErrorKind::Conflict, "Conflict. Key in request is already in the secret metadata");
    case db::MetadataWriteResult::KeyMissing: core::throwNotFound(kMetadatumNotFound);
    case db::MetadataWriteResult::SecretMissing: core::throwNotFound("Secret not found.");
    }
}

boost::json::object metadatumJson(const std::string& key, const std::string& value) {
    return boost::json::object{{"key", key}, {"value", value}};
}

Response getMetadata(App& app, Request& request) {
    requireJsonAccept(request);
    const db::SecretRow secret = authorizedSecret(app, request, Rule::SecretMetaGet, true);
    boost::json::object metadata;
    for (const auto& [key, value] : secret.metadata) metadata[key] = value;
    return jsonResponse(200, boost::json::object{{"metadata", std::move(metadata)}});
}

Response putMetadata(App& app, Request& request) {
    requireJsonAccept(request);
    const db::SecretRow secret = authorizedSecret(app, request, Rule::SecretMetaPut, false);
    requireJsonContentType(request);
    const std::map<std::string, std::string> metadata = core::parseMetadataPut(parseJsonBody(app, request));
    db::MetadataWriteResult result = db::MetadataWriteResult::SecretMissing;
    app.db.run([&](soci::session& sql) {
        result = db::replaceSecretMetadata(sql, secret.id, metadata, core::nowUtc());
    });
    throwUnlessDone(result);
    return jsonResponse(201, boost::json::object{{"metadata_ref", secretRef(request, secret.id) + "/metadata"}});
}

Response postMetadatum(App& app, Request& request) {
    requireJsonAccept(request);
    const db::SecretRow secret = authorizedSecret(app, request, Rule::SecretMetaPost, false);
    requireJsonContentType(request);
    const auto [key, value] = core::parseMetadatum(parseJsonBody(app, request));
    db::MetadataWriteResult result = db::MetadataWriteResult::SecretMissing;
    app.db.run([&](soci::session& sql) {
        result = db::addSecretMetadatum(sql, secret.id, key, value, core::nowUtc());
    });
    throwUnlessDone(result);
    Response response = jsonResponse(201, metadatumJson(key, value));
    response.setHeader("Location", secretRef(request, secret.id) + "/metadata/" + key);
    return response;
}

Response getMetadatum(App& app, Request& request) {
    requireJsonAccept(request);
    const db::SecretRow secret = authorizedSecret(app, request, Rule::SecretMetaGet, true);
    const std::string& key = request.param("key");
    const auto found = secret.metadata.find(key);
    if (found == secret.metadata.end()) core::throwNotFound(kMetadatumNotFound);
    return jsonResponse(200, metadatumJson(found->first, found->second));
}

Response putMetadatum(App& app, Request& request) {
    requireJsonAccept(request);
    const db::SecretRow secret = authorizedSecret(app, request, Rule::SecretMetaPut, true);
    requireJsonContentType(request);
    const auto [key, value] = core::parseMetadatum(parseJsonBody(app, request));
    const std::string& url_key = request.param("key");
    if (secret.metadata.count(url_key) == 0) core::throwNotFound(kMetadatumNotFound);
    if (key != url_key)
        throw core::Error(core::ErrorKind::Conflict, "Key in request data does not match key in the request url.");
    db::MetadataWriteResult result = db::MetadataWriteResult::SecretMissing;
    app.db.run([&](soci::session& sql) {
        result = db::updateSecretMetadatum(sql, secret.id, key, value, core::nowUtc());
    });
    throwUnlessDone(result);
    return jsonResponse(200, metadatumJson(key, value));
}

Response deleteMetadatum(App& app, Request& request) {
    const db::SecretRow secret = authorizedSecret(app, request, Rule::SecretMetaDelete, false);
    const std::string& key = request.param("key");
    // A key that could never be stored (not URL-safe, too long, not UTF-8)
    // is rejected with 400 before it reaches the database.
    core::validateMetadataKey(key);
    app.db.run([&](soci::session& sql) { db::deleteSecretMetadatum(sql, secret.id, key); });
    return emptyResponse(204);
}

}  // namespace

void registerSecretMetadataRoutes(Router& router) {
    router.add("GET", "/v1/secrets/{id}/metadata", getMetadata);
    router.add("PUT", "/v1/secrets/{id}/metadata", putMetadata);
    router.add("POST", "/v1/secrets/{id}/metadata", postMetadatum);
    router.add("GET", "/v1/secrets/{id}/metadata/{key}", getMetadatum);
    router.add("PUT", "/v1/secrets/{id}/metadata/{key}", putMetadatum);
    router.add("DELETE", "/v1/secrets/{id}/metadata/{key}", deleteMetadatum);
}

}  // namespace fcgi
