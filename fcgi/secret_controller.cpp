// Secrets: create, read metadata, add the payload, delete. The list and the
// payload read are in secret_list.cpp and secret_payload.cpp.

#include <boost/json/object.hpp>

#include <string.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/secret_rules.h"
#include "db/quota.h"
#include "db/secret_repository.h"
#include "db/secret_writer.h"
#include "db/transaction.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"
#include "fcgi/secret_handlers.h"
#include "fcgi/secret_support.h"

namespace fcgi {
namespace {

using core::policy::Rule;

constexpr const char* kUnknownTransportKey = "Provided transport key was not found.";

core::SecretLimits limitsOf(const App& app) { return core::SecretLimits{app.config.max_secret_bytes}; }

// Overwrites the plaintext payload left in a parsed request body.
void wipePayloadField(boost::json::object& body) {
    if (auto* payload = body.if_contains("payload"); payload != nullptr && payload->is_string()) {
        boost::json::string& text = payload->get_string();
        ::explicit_bzero(text.data(), text.size());
        text.clear();
    }
}

// 400 unless `id` names a live transport key. Transport-key wrapping is not
// supported, so a known key is accepted and the payload stored as sent, like
// upstream's default store backend does.
void requireTransportKey(soci::session& sql, const std::string& id) {
    if (!isCanonicalUuidV4(id) || !db::transportKeyExists(sql, id)) core::throwInvalid(kUnknownTransportKey);
}

Response createSecret(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::SecretsPost, request);
    requireJsonContentType(request);
    boost::json::object body = parseJsonBody(app, request);
    const core::Timestamp now = core::nowUtc();
    core::NewSecret secret;
    try {
        secret = core::parseNewSecret(body, limitsOf(app), now);
    } catch (...) {
        wipePayloadField(body);
        throw;
    }
    wipePayloadField(body);

    db::SecretRecord record;
    record.id = core::newUuidV4();
    record.project_id = request.identity.project_id;
    record.name = secret.name;
    record.secret_type = secret.secret_type;
    record.algorithm = secret.algorithm;
    record.bit_length = secret.bit_length;
    record.mode = secret.mode;
    record.expiration = secret.expiration;
    record.creator_id = request.identity.user_id;

    app.db.run([&](soci::session& sql) {
        if (secret.transport_key_id) requireTransportKey(sql, *secret.transport_key_id);
        const db::ProjectKeyStore::ProjectKey& key = app.project_keys.keyFor(sql, record.project_id);
        const core::SecretPayload* payload = secret.payload ? &*secret.payload : nullptr;
        // Without a default quota, only a project's own quota limits it:
        // one statement inserts unless such a quota exists.
        if (app.config.quota_secrets < 0 &&
            db::insertSecretWithoutProjectQuota(sql, key, record, payload, now)) {
            return;
        }
        db::Transaction transaction(sql);
        db::enforceQuota(sql, app.config, record.project_id, db::QuotaResource::Secrets, "Secret creation");
        db::insertSecret(sql, key, record, payload, now);
        transaction.commit();
    });

    const std::string ref = secretRef(request, record.id);
    Response response = jsonResponse(201, boost::json::object{{"secret_ref", ref}});
    response.setHeader("Location", ref);
    return response;
}

Response getSecret(App& app, Request& request) {
    if (!core::isMetadataAccept(request.header("accept"))) return readSecretPayload(app, request);
    db::SecretLookup lookup;
    lookup.consumers = request.microversion >= 1;
    const db::SecretRow secret = loadSecret(app, request, lookup);
    const core::policy::Target target = secretTarget(secret);
    authorize(Rule::SecretGet, request, &target);
    return jsonResponse(200, secretJson(request, secret));
}

Response putSecretPayload(App& app, Request& request) {
    const db::SecretRow secret = loadSecret(app, request);
    const core::policy::Target target = secretTarget(secret);
    authorize(Rule::SecretPut, request, &target);
    const core::PayloadUpload upload = core::parsePayloadPut(request.header("content-type"),
                                                             request.header("content-encoding"), request.body,
                                                             limitsOf(app));
    if (secret.content_type) throw core::Error(core::ErrorKind::Conflict, "Secret already has data, cannot modify it.");
    core::SecretPayload payload{core::decodePayloadUpload(upload), upload.content_type};
    const std::optional<std::string> transport_key_id = request.queryValue("transport_key_id");

    db::PayloadStoreResult result = db::PayloadStoreResult::NotFound;
    app.db.run([&](soci::session& sql) {
        if (transport_key_id) requireTransportKey(sql, *transport_key_id);
        const db::ProjectKeyStore::ProjectKey& key = app.project_keys.keyFor(sql, secret.project_id);
        result = db::storePayload(sql, key, secret, payload, core::nowUtc());
    });
    if (result == db::PayloadStoreResult::AlreadyHasPayload)
        throw core::Error(core::ErrorKind::Conflict, "Secret already has data, cannot modify it.");
    if (result == db::PayloadStoreResult::NotFound) core::throwNotFound("Secret not found.");
    return emptyResponse(204);
}

// From microversion 1.2 on, a secret with consumers is deleted only with
// ?force=true.
bool rejectsWithConsumers(const Request& request) {
    if (request.microversion < 2) return false;
    const std::optional<std::string_view> force = core::queryValue(request.query(), "force");
    if (!force) return true;
    const std::optional<bool> parsed = core::parseBoolStrict(*force);
    if (!parsed)
        core::throwInvalid("Invalid value for query parameter 'force': expected true or false (also yes/no, on/off, 1/0).");
    return !*parsed;
}

Response deleteSecret(App& app, Request& request) {
    db::SecretLookup lookup;
    lookup.consumers = request.microversion >= 2;
    const db::SecretRow secret = loadSecret(app, request, lookup);
    const core::policy::Target target = secretTarget(secret);
    authorize(Rule::SecretDelete, request, &target);
    const bool reject = rejectsWithConsumers(request);
    constexpr const char* kHasConsumers = "Secret cannot be deleted as it has consumers.";
    if (reject && !secret.consumers.empty()) core::throwInvalid(kHasConsumers);

    db::SecretDeleteResult result = db::SecretDeleteResult::NotFound;
    app.db.run([&](soci::session& sql) { result = db::deleteSecret(sql, secret.id, reject, core::nowUtc()); });
    if (result == db::SecretDeleteResult::HasConsumers) core::throwInvalid(kHasConsumers);
    if (result == db::SecretDeleteResult::NotFound) core::throwNotFound("Secret not found.");
    return emptyResponse(204);
}

}  // namespace

void registerSecretRoutes(Router& router) {
    router.add("POST", "/v1/secrets", createSecret);
    router.add("GET", "/v1/secrets", listSecrets);
    router.add("GET", "/v1/secrets/{id}", getSecret);
    router.add("PUT", "/v1/secrets/{id}", putSecretPayload);
    router.add("DELETE", "/v1/secrets/{id}", deleteSecret);
    router.add("GET", "/v1/secrets/{id}/payload", readSecretPayload);
}

}  // namespace fcgi
