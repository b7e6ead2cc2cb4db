// Consumers of containers (/v1/containers/{id}/consumers) and of secrets
// (/v1/secrets/{id}/consumers): list, read one, register and remove.
// Registration and removal return 200 with the whole parent document.

#include "core/consumer_rules.h"
#include "core/container_rules.h"
#include "core/error.h"
#include "core/log.h"
#include "db/consumer_repository.h"
#include "db/container_repository.h"
#include "db/quota.h"
#include "db/transaction.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"

namespace fcgi {
namespace {

using core::policy::Rule;

constexpr const char* kConsumerNotFound = "Consumer not found.";
constexpr const char* kRemovalNotAllowed =
    "Consumer removal not allowed: the caller's project owns neither the consumer nor its parent.";

db::ContainerRow loadContainer(App& app, const Request& request) {
    const std::string& id = request.param("id");
    if (!isCanonicalUuidV4(id)) core::throwNotFound("Not Found. Provided container id is invalid.");
    std::optional<db::ContainerRow> container;
    app.db.run([&](soci::session& sql) { container = db::findContainer(sql, id); });
    if (!container) core::throwNotFound("Secrets container not found.");
    return std::move(*container);
}

db::ConsumedSecret loadSecret(App& app, const Request& request) {
    const std::string& id = request.param("id");
    if (!isCanonicalUuidV4(id)) core::throwNotFound("Not Found. Provided secret id is invalid.");
    std::optional<db::ConsumedSecret> secret;
    app.db.run([&](soci::session& sql) { secret = db::findConsumedSecret(sql, id); });
    if (!secret) core::throwNotFound("Secret not found.");
    return std::move(*secret);
}

// Renders the secret document, always with "consumers".
// NOTE: this repeats the secret rendering of the secrets controller. The two
// were written at the same time, so neither depends on the other. Merge them.
boost::json::object secretJson(const db::ConsumedSecret& secret, const Request& request) {
    boost::json::object json;
    json["secret_ref"] = hrefFor(request, "secrets", secret.id);
    json["name"] = nullableString(secret.name);
    json["secret_type"] = secret.secret_type;
    json["status"] = secret.status;
    json["algorithm"] = nullableString(secret.algorithm);
    json["bit_length"] = secret.bit_length ? boost::json::value(*secret.bit_length) : boost::json::value(nullptr);
    json["mode"] = nullableString(secret.mode);
    json["expiration"] = nullableString(secret.expiration);
    json["created"] = secret.created;
    json["updated"] = secret.updated;
    json["creator_id"] = nullableString(secret.creator_id);
    if (secret.content_type) json["content_types"] = boost::json::object{{"default", *secret.content_type}};
    boost::json::array consumers;
    for (const auto& consumer : secret.consumers) {
        consumers.push_back(boost::json::object{{"service", consumer.service},
                                                {"resource_type", consumer.resource_type},
                                                {"resource_id", consumer.resource_id}});
    }
    json["consumers"] = std::move(consumers);
    return json;
}

boost::json::object consumerJson(const db::ContainerConsumerRow& consumer) {
    return {{"name", consumer.name}, {"URL", consumer.url},         {"status", consumer.status},
            {"created", consumer.created}, {"updated", consumer.updated}};
}

boost::json::object consumerJson(const db::SecretConsumerRow& consumer) {
    return {{"service", consumer.service}, {"resource_type", consumer.resource_type},
            {"resource_id", consumer.resource_id}, {"status", consumer.status},
            {"created", consumer.created}, {"updated", consumer.updated}};
}

template <typename Row>
Response consumerPageResponse(const Request& request, const std::string& collection_path, const core::Paging& paging,
                              const db::ConsumerPage<Row>& page) {
    boost::json::array consumers;
    for (const Row& row : page.rows) consumers.push_back(consumerJson(row));
    boost::json::object body{{"consumers", std::move(consumers)}, {"total", page.total}};
    addPagingLinks(body, request, collection_path, paging, page.total, page.rows.size());
    return jsonResponse(200, body);
}

// 200 with the parent document and Location "{parent_ref}/consumers".
Response parentResponse(boost::json::object document, const std::string& parent_ref) {
    Response response = jsonResponse(200, document);
    response.setHeader("Location", parent_ref + "/consumers");
    return response;
}

const std::string& consumerIdParam(const Request& request) {
    const std::string& id = request.param("consumer_id");
    if (!isCanonicalUuidV4(id)) core::throwNotFound("Not Found. Provided consumer id is invalid.");
    return id;
}

// Container consumers.

Response listContainerConsumers(App& app, Request& request) {
    const db::ContainerRow container = loadContainer(app, request);
    requireJsonAccept(request);
    authorize(Rule::ContainerConsumersGet, request, &container.target);
    const core::Paging paging = pagingOf(app, request);
    db::ConsumerPage<db::ContainerConsumerRow> page;
    app.db.run([&](soci::session& sql) {
        page = db::listContainerConsumers(sql, container.record.id, paging.offset, paging.limit);
    });
    return consumerPageResponse(request, "containers/" + container.record.id + "/consumers", paging, page);
}

Response getContainerConsumer(App& app, Request& request) {
    const db::ContainerRow container = loadContainer(app, request);
    const std::string& consumer_id = consumerIdParam(request);
    requireJsonAccept(request);
    authorize(Rule::ConsumerGet, request);
    std::optional<db::ContainerConsumerRow> consumer;
    app.db.run([&](soci::session& sql) {
        consumer = db::findContainerConsumerById(sql, container.record.id, consumer_id);
    });
    if (!consumer) core::throwNotFound(kConsumerNotFound);
    return jsonResponse(200, consumerJson(*consumer));
}

Response registerContainerConsumer(App& app, Request& request) {
    const db::ContainerRow container = loadContainer(app, request);
    requireJsonAccept(request);
    authorize(Rule::ContainerConsumersPost, request, &container.target);
    requireJsonContentType(request);
    const core::ContainerConsumerBody consumer = core::parseContainerConsumer(parseJsonBody(app, request));

    const std::string& project = request.identity.project_id;
    std::optional<db::ContainerRow> updated;
    app.db.run([&](soci::session& sql) {
        app.project_keys.keyFor(sql, project);  // creates the project row the quota lock needs
        db::Transaction transaction(sql);
        // Checked even when the consumer exists already, as upstream does.
        db::enforceQuota(sql, app.config, project, db::QuotaResource::Consumers, "Consumer creation");
        db::registerContainerConsumer(sql, container.record.id, project, consumer, core::nowUtc());
        transaction.commit();
        updated = db::findContainer(sql, container.record.id);
    });
    if (!updated) core::throwNotFound("Secrets container not found.");
    return parentResponse(core::containerJson(updated->record, request.base_href),
                          hrefFor(request, "containers", container.record.id));
}

Response removeContainerConsumer(App& app, Request& request) {
    const db::ContainerRow container = loadContainer(app, request);
    requireJsonAccept(request);
    authorize(Rule::ContainerConsumersDelete, request, &container.target);
    requireJsonContentType(request);
    const core::ContainerConsumerBody consumer = core::parseContainerConsumer(parseJsonBody(app, request));

    const std::string& project = request.identity.project_id;
    std::optional<db::ContainerRow> updated;
    app.db.run([&](soci::session& sql) {
        db::Transaction transaction(sql);
        if (!db::projectExists(sql, project)) core::throwNotFound(kConsumerNotFound);
        const auto found = db::lockContainerConsumer(sql, container.record.id, consumer);
        if (!found) core::throwNotFound(kConsumerNotFound);
        if (found->project_id != project && container.target.project_id != project)
            throw core::Error(core::ErrorKind::Forbidden, kRemovalNotAllowed);
        db::removeContainerConsumer(sql, found->id, core::nowUtc());
        transaction.commit();
        updated = db::findContainer(sql, container.record.id);
    });
    if (!updated) core::throwNotFound("Secrets container not found.");
    return parentResponse(core::containerJson(updated->record, request.base_href),
                          hrefFor(request, "containers", container.record.id));
}

// Secret consumers.

Response listSecretConsumers(App& app, Request& request) {
    const db::ConsumedSecret secret = loadSecret(app, request);
    requireJsonAccept(request);
    authorize(Rule::SecretConsumersGet, request, &secret.target);
    const core::Paging paging = pagingOf(app, request);
    db::ConsumerPage<db::SecretConsumerRow> page;
    app.db.run([&](soci::session& sql) {
        page = db::listSecretConsumers(sql, secret.id, paging.offset, paging.limit);
    });
    return consumerPageResponse(request, "secrets/" + secret.id + "/consumers", paging, page);
}

Response getSecretConsumer(App& app, Request& request) {
    const db::ConsumedSecret secret = loadSecret(app, request);
    const std::string& consumer_id = consumerIdParam(request);
    requireJsonAccept(request);
    authorize(Rule::ConsumerGet, request);
    std::optional<db::SecretConsumerRow> consumer;
    app.db.run([&](soci::session& sql) { consumer = db::findSecretConsumerById(sql, secret.id, consumer_id); });
    if (!consumer) core::throwNotFound(kConsumerNotFound);
    return jsonResponse(200, consumerJson(*consumer));
}

Response registerSecretConsumer(App& app, Request& request) {
    const db::ConsumedSecret secret = loadSecret(app, request);
    requireJsonAccept(request);
    authorize(Rule::SecretConsumersPost, request, &secret.target);
    requireJsonContentType(request);
    const core::SecretConsumerBody consumer = core::parseSecretConsumer(parseJsonBody(app, request));

    const std::string& project = request.identity.project_id;
    std::optional<db::ConsumedSecret> updated;
    app.db.run([&](soci::session& sql) {
        app.project_keys.keyFor(sql, project);  // creates the project row the quota lock needs
        db::Transaction transaction(sql);
        // Checked even when the consumer exists already, as upstream does.
        db::enforceQuota(sql, app.config, project, db::QuotaResource::Consumers, "Consumer creation");
        db::registerSecretConsumer(sql, secret.id, project, consumer, core::nowUtc());
        transaction.commit();
        updated = db::findConsumedSecret(sql, secret.id);
    });
    if (!updated) core::throwNotFound("Secret not found.");
    return parentResponse(secretJson(*updated, request), hrefFor(request, "secrets", secret.id));
}

Response removeSecretConsumer(App& app, Request& request) {
    const db::ConsumedSecret secret = loadSecret(app, request);
    requireJsonAccept(request);
    authorize(Rule::SecretConsumersDelete, request, &secret.target);
    requireJsonContentType(request);
    const core::SecretConsumerBody consumer = core::parseSecretConsumer(parseJsonBody(app, request));

    const std::string& project = request.identity.project_id;
    std::optional<db::ConsumedSecret> updated;
    app.db.run([&](soci::session& sql) {
        db::Transaction transaction(sql);
        if (!db::projectExists(sql, project)) core::throwNotFound(kConsumerNotFound);
        const auto found = db::lockSecretConsumer(sql, secret.id, consumer);
        if (!found) core::throwNotFound(kConsumerNotFound);
        if (found->project_id != project && secret.project_id != project)
            throw core::Error(core::ErrorKind::Forbidden, kRemovalNotAllowed);
        db::removeSecretConsumer(sql, found->id, core::nowUtc());
        transaction.commit();
        updated = db::findConsumedSecret(sql, secret.id);
    });
    if (!updated) core::throwNotFound("Secret not found.");
    return parentResponse(secretJson(*updated, request), hrefFor(request, "secrets", secret.id));
}

}  // namespace

void registerConsumerRoutes(Router& router) {
    router.add("GET", "/v1/containers/{id}/consumers", listContainerConsumers);
    router.add("POST", "/v1/containers/{id}/consumers", registerContainerConsumer);
    router.add("DELETE", "/v1/containers/{id}/consumers", removeContainerConsumer);
    router.add("GET", "/v1/containers/{id}/consumers/{consumer_id}", getContainerConsumer);
    router.add("GET", "/v1/secrets/{id}/consumers", listSecretConsumers);
    router.add("POST", "/v1/secrets/{id}/consumers", registerSecretConsumer);
    router.add("DELETE", "/v1/secrets/{id}/consumers", removeSecretConsumer);
    router.add("GET", "/v1/secrets/{id}/consumers/{consumer_id}", getSecretConsumer);
}

}  // namespace fcgi
