#include "fcgi/secret_support.h"

#include <boost/json/array.hpp>

#include "core/error.h"
#include "fcgi/controller_support.h"

namespace fcgi {

db::SecretRow loadSecret(App& app, const Request& request, const db::SecretLookup& lookup) {
    const std::string& id = request.param("id");
    if (!isCanonicalUuidV4(id)) core::throwNotFound("Not Found. Provided secret id is invalid.");
    std::optional<db::SecretRow> secret;
    app.db.run([&](soci::session& sql) { secret = db::findSecret(sql, id, lookup); });
    if (!secret) core::throwNotFound("Secret not found.");
    return std::move(*secret);
}

core::policy::Target secretTarget(const db::SecretRow& secret) {
    core::policy::Target target;
    target.project_id = secret.project_id;
    target.creator_id = secret.creator_id;
    target.is_private = secret.has_acl && !secret.acl_project_access;
    target.acl_users = secret.acl_users;
    return target;
}

std::string secretRef(const Request& request, const std::string& id) { return hrefFor(request, "secrets", id); }

boost::json::object secretJson(const Request& request, const db::SecretRow& secret) {
    boost::json::object json;
    json["secret_ref"] = secretRef(request, secret.id);
    json["name"] = nullableString(secret.name);
    json["secret_type"] = secret.secret_type;
    json["status"] = secret.status;
    json["algorithm"] = nullableString(secret.algorithm);
    if (secret.bit_length) json["bit_length"] = *secret.bit_length;
    else json["bit_length"] = nullptr;
    json["mode"] = nullableString(secret.mode);
    json["expiration"] = nullableString(secret.expiration);
    json["created"] = secret.created;
    json["updated"] = secret.updated;
    json["creator_id"] = nullableString(secret.creator_id);
    if (secret.content_type) json["content_types"] = boost::json::object{{"default", *secret.content_type}};
    if (request.microversion >= 1) {
        boost::json::array consumers;
        for (const auto& consumer : secret.consumers) {
            consumers.push_back(boost::json::object{{"service", consumer.service},
                                                    {"resource_type", consumer.resource_type},
                                                    {"resource_id", consumer.resource_id}});
        }
        json["consumers"] = std::move(consumers);
    }
    return json;
}

}  // namespace fcgi
