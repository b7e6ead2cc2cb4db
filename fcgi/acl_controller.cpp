// Read ACLs of secrets and containers:
// GET, PUT, PATCH and DELETE of /v1/secrets/{id}/acl and /v1/containers/{id}/acl.

#include <boost/json.hpp>

#include "core/acl_rules.h"
#include "core/error.h"
#include "core/timestamp.h"
#include "db/acl_repository.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"

namespace fcgi {
namespace {

using core::policy::Rule;

// Route settings that differ between secret and container ACLs.
struct AclKind {
    db::AclResource resource;
    const char* collection;
    const char* invalid_id;
    const char* not_found;
    Rule get_rule;
    Rule put_patch_rule;
    Rule delete_rule;
};

const AclKind kSecretAcl{
    db::AclResource::Secret, "secrets", "Not Found. Provided secret id is invalid.", "Secret not found.",
    Rule::SecretAclsGet, Rule::SecretAclsPutPatch, Rule::SecretAclsDelete,
};
const AclKind kContainerAcl{
    db::AclResource::Container, "containers", "Not Found. Provided container id is invalid.",
    "Secrets container not found.", Rule::ContainerAclsGet, Rule::ContainerAclsPutPatch, Rule::ContainerAclsDelete,
};

// The live resource of the path, looked up in every project; 404 when the
// id is malformed or unknown.
db::AclSubject loadSubject(App& app, const Request& request, const AclKind& kind) {
    const std::string& id = request.param("id");
    if (!isCanonicalUuidV4(id)) core::throwNotFound(kind.invalid_id);
    std::optional<db::AclSubject> subject;
    app.db.run([&](soci::session& sql) { subject = db::findAclSubject(sql, kind.resource, id); });
    if (!subject) core::throwNotFound(kind.not_found);
    return std::move(*subject);
}

core::policy::Target targetOf(const db::AclSubject& subject) {
    core::policy::Target target;
    target.project_id = subject.project_id;
    target.creator_id = subject.creator_id;
    if (subject.acl) {
        target.is_private = !subject.acl->project_access;
        target.acl_users = subject.acl->users;
    }
    return target;
}

// The target of the ACL write rules. Barbican 15.0.1 passes only the project
// and creator ids to these checks, never the project-access flag, so a
// creator who is not the owner may change or remove the ACL of a private
// resource. The recorded authorization table expects that, hence the flag
// is cleared here.
core::policy::Target writeTargetOf(const db::AclSubject& subject) {
    core::policy::Target target = targetOf(subject);
    target.is_private = false;
    return target;
}

boost::json::object aclBody(const std::optional<db::StoredAcl>& acl) {
    boost::json::object read;
    if (!acl) {
        read["project-access"] = true;
    } else {
        read["project-access"] = acl->project_access;
        boost::json::array users;
        for (const std::string& user : acl->users) users.emplace_back(user);
        read["users"] = std::move(users);
        read["created"] = acl->created;
        read["updated"] = acl->updated;
    }
    return boost::json::object{{"read", std::move(read)}};
}

Response aclRefResponse(const Request& request, const AclKind& kind) {
    const std::string ref = hrefFor(request, kind.collection, request.param("id")) + "/acl";
    return jsonResponse(200, boost::json::object{{"acl_ref", ref}});
}

Response getAcl(App& app, Request& request, const AclKind& kind) {
    const db::AclSubject subject = loadSubject(app, request, kind);
    requireJsonAccept(request);
    const core::policy::Target target = targetOf(subject);
    authorize(kind.get_rule, request, &target);
    return jsonResponse(200, aclBody(subject.acl));
}

// Parses the body of a PUT or PATCH after the checks both share.
core::AclChange readChange(App& app, Request& request, const AclKind& kind, const db::AclSubject& subject) {
    requireJsonAccept(request);
    const core::policy::Target target = writeTargetOf(subject);
    authorize(kind.put_patch_rule, request, &target);
    requireJsonContentType(request);
    return core::parseAclChange(parseJsonBody(app, request));
}

// PUT replaces the read ACL; without a "read" value it removes it.
Response putAcl(App& app, Request& request, const AclKind& kind) {
    const db::AclSubject subject = loadSubject(app, request, kind);
    const core::AclChange change = readChange(app, request, kind, subject);
    const std::string& id = request.param("id");
    app.db.run([&](soci::session& sql) {
        if (!change.read_given) {
            db::deleteAcl(sql, kind.resource, id);
            return;
        }
        db::upsertAcl(sql, kind.resource, id, change.project_access.value_or(true),
                      change.users.value_or(std::vector<std::string>{}), core::nowUtc());
    });
    return aclRefResponse(request, kind);
}

// PATCH changes only the values given; a new ACL starts from the defaults.
Response patchAcl(App& app, Request& request, const AclKind& kind) {
    const db::AclSubject subject = loadSubject(app, request, kind);
    const core::AclChange change = readChange(app, request, kind, subject);
    if (change.read_given) {
        app.db.run([&](soci::session& sql) {
            db::upsertAcl(sql, kind.resource, request.param("id"), change.project_access, change.users,
                          core::nowUtc());
        });
    }
    return aclRefResponse(request, kind);
}

// DELETE returns 200 with a JSON null body, as Barbican does, whether or not
// an ACL was stored. The request Content-Type is not checked.
Response deleteAcl(App& app, Request& request, const AclKind& kind) {
    const db::AclSubject subject = loadSubject(app, request, kind);
    requireJsonAccept(request);
    const core::policy::Target target = writeTargetOf(subject);
    authorize(kind.delete_rule, request, &target);
    app.db.run([&](soci::session& sql) { db::deleteAcl(sql, kind.resource, request.param("id")); });
    return jsonResponse(200, nullptr);
}

void addAclRoutes(Router& router, const std::string& path, const AclKind& kind) {
    router.add("GET", path, [&kind](App& app, Request& request) { return getAcl(app, request, kind); });
    router.add("PUT", path, [&kind](App& app, Request& request) { return putAcl(app, request, kind); });
    router.add("PATCH", path, [&kind](App& app, Request& request) { return patchAcl(app, request, kind); });
    router.add("DELETE", path, [&kind](App& app, Request& request) { return deleteAcl(app, request, kind); });
}

}  // namespace

void registerAclRoutes(Router& router) {
    addAclRoutes(router, "/v1/secrets/{id}/acl", kSecretAcl);
    addAclRoutes(router, "/v1/containers/{id}/acl", kContainerAcl);
}

}  // namespace fcgi
