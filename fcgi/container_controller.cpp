// Containers: create, list, read, delete, and adding or removing a secret
// link of a generic container. Consumers of containers are in
// consumer_controller.cpp.

#include "core/container_rules.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/log.h"
#include "db/container_repository.h"
#include "db/quota.h"
#include "db/transaction.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"

namespace fcgi {
namespace {

using core::policy::Rule;

// The live container named by the {id} path parameter, in any project:
// policy decides cross-project access.
db::ContainerRow loadContainer(App& app, const Request& request) {
    const std::string& id = request.param("id");
    if (!isCanonicalUuidV4(id)) core::throwNotFound("Not Found. Provided container id is invalid.");
    std::optional<db::ContainerRow> container;
    app.db.run([&](soci::session& sql) { container = db::findContainer(sql, id); });
    if (!container) core::throwNotFound("Secrets container not found.");
    return std::move(*container);
}

Response containerRefResponse(const Request& request, const std::string& container_id) {
    const std::string ref = hrefFor(request, "containers", container_id);
    Response response = jsonResponse(201, boost::json::object{{"container_ref", ref}});
    response.setHeader("Location", ref);
    return response;
}

Response createContainer(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::ContainersPost, request);
    requireJsonContentType(request);
    const boost::json::object body = parseJsonBody(app, request);
    const core::NewContainer container = core::parseNewContainer(body, hrefFor(request, "secrets", "") + "/");

    const std::string& project = request.identity.project_id;
    db::ContainerInsert insert{core::newUuidV4(), project, container.name, container.type, request.identity.user_id, {}};
    std::vector<std::string> secret_ids;
    for (const core::ContainerLink& link : container.links) {
        insert.links.push_back(core::ContainerRecord::Link{link.name, link.secret_id});
        secret_ids.push_back(link.secret_id);
    }

    app.db.run([&](soci::session& sql) {
        app.project_keys.keyFor(sql, project);  // creates the project row the quota lock needs
        db::Transaction transaction(sql);
        db::enforceQuota(sql, app.config, project, db::QuotaResource::Containers, "Container creation");
        const std::vector<std::size_t> missing = db::missingSecrets(sql, project, secret_ids);
        if (!missing.empty()) {
            core::throwNotFound("Secret provided for '" + core::displayLinkName(container.links[missing.front()].name) +
                                "' doesn't exist.");
        }
        db::insertContainer(sql, insert, core::nowUtc());
        transaction.commit();
    });
    core::log::info("container_created").kv("container_id", insert.id).kv("project_id", project);
    return containerRefResponse(request, insert.id);
}

Response listContainers(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::ContainersGet, request);
    const core::Paging paging = pagingOf(app, request);

    db::ContainerListQuery query;
    query.project_id = request.identity.project_id;
    query.name = request.queryValue("name").value_or("");
    query.type = request.queryValue("type").value_or("");
    query.offset = paging.offset;
    query.limit = paging.limit;
    db::ContainerPage page;
    app.db.run([&](soci::session& sql) { page = db::listContainers(sql, query); });

    boost::json::array containers;
    for (const db::ContainerRow& row : page.rows) containers.push_back(core::containerJson(row.record, request.base_href));
    boost::json::object body{{"containers", std::move(containers)}, {"total", page.total}};
    addPagingLinks(body, request, "containers", paging, page.total, page.rows.size());
    return jsonResponse(200, body);
}

Response getContainer(App& app, Request& request) {
    const db::ContainerRow container = loadContainer(app, request);
    requireJsonAccept(request);
    authorize(Rule::ContainerGet, request, &container.target);
    return jsonResponse(200, core::containerJson(container.record, request.base_href));
}

Response deleteContainer(App& app, Request& request) {
    const db::ContainerRow container = loadContainer(app, request);
    authorize(Rule::ContainerDelete, request, &container.target);

    bool deleted = false;
    app.db.run([&](soci::session& sql) {
        db::Transaction transaction(sql);
        deleted = db::deleteContainer(sql, container.record.id, request.identity.project_id, core::nowUtc());
        transaction.commit();
    });
    // The delete is scoped to the caller's project even when policy let a
    // caller of another project through.
    if (!deleted) core::throwNotFound("Secrets container not found.");
    core::log::info("container_deleted").kv("container_id", container.record.id);
    return emptyResponse(204);
}

// Checks of POST /v1/containers/{id}/secrets, in upstream's order: policy,
// Content-Type, container type, body, secret in the caller's project, then
// the same secret under the same name (409).
Response addContainerSecret(App& app, Request& request) {
    const db::ContainerRow container = loadContainer(app, request);
    requireJsonAccept(request);
    authorize(Rule::ContainerSecretPost, request, &container.target);
    requireJsonContentType(request);
    if (container.record.type != "generic") core::throwInvalid("Only 'generic' containers can be modified.");
    const core::ContainerLink link = core::parseContainerSecret(parseJsonBody(app, request));

    const std::string& project = request.identity.project_id;
    app.db.run([&](soci::session& sql) {
        db::Transaction transaction(sql);
        if (!db::missingSecrets(sql, project, {link.secret_id}).empty())
            core::throwNotFound("Secret provided doesn't exist.");
        if (!db::addContainerLink(sql, container.record.id, link.secret_id, link.name)) {
            throw core::Error(core::ErrorKind::Conflict,
                              "Conflict. A secret with that name and ID is already stored in this container. The "
                              "same secret can exist in a container as long as the name is unique.");
        }
        transaction.commit();
    });
    return containerRefResponse(request, container.record.id);
}

// DELETE /v1/containers/{id}/secrets. Like upstream it checks neither the
// Content-Type nor the container type.
Response removeContainerSecret(App& app, Request& request) {
    const db::ContainerRow container = loadContainer(app, request);
    authorize(Rule::ContainerSecretDelete, request, &container.target);
    const core::ContainerLink link = core::parseContainerSecret(parseJsonBody(app, request));

    const std::string& project = request.identity.project_id;
    app.db.run([&](soci::session& sql) {
        db::Transaction transaction(sql);
        if (!db::missingSecrets(sql, project, {link.secret_id}).empty()) {
            core::throwNotFound("Secret '" + core::displayLinkName(link.name) + "' with reference '" +
                                link.secret_ref + "' doesn't exist.");
        }
        if (!db::removeContainerLink(sql, container.record.id, link.secret_id, link.name))
            core::throwNotFound("Secret provided is not in the container");
        transaction.commit();
    });
    return emptyResponse(204);
}

}  // namespace

void registerContainerRoutes(Router& router) {
    router.add("POST", "/v1/containers", createContainer);
    router.add("GET", "/v1/containers", listContainers);
    router.add("GET", "/v1/containers/{id}", getContainer);
    router.add("DELETE", "/v1/containers/{id}", deleteContainer);
    router.add("POST", "/v1/containers/{id}/secrets", addContainerSecret);
    router.add("DELETE", "/v1/containers/{id}/secrets", removeContainerSecret);
}

}  // namespace fcgi
