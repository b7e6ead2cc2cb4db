#include "core/policy.h"

#include <algorithm>

namespace core::policy {
namespace {

// Facts about one caller and target that the rule table combines.
struct Facts {
    bool admin, creator, observer, audit, service_admin;
    bool any;        // has at least one of the five roles
    bool project;    // caller's project owns the target
    bool owner;      // caller's user created the target
    bool is_public;  // target not private
    bool acl;        // caller's user is in the target's read ACL
};

Facts factsFor(const Caller& caller, const Target* target) {
    auto has = [&](std::string_view role) {
        return std::find(caller.roles.begin(), caller.roles.end(), role) != caller.roles.end();
    };
    Facts f{};
    f.admin = has("admin");
    f.creator = has("creator");
    f.observer = has("observer");
    f.audit = has("audit");
    f.service_admin = has("key-manager:service-admin");
    f.any = f.admin || f.creator || f.observer || f.audit || f.service_admin;
    if (target != nullptr) {
        f.project = caller.project_id == target->project_id;
        f.owner = caller.user_id.has_value() && target->creator_id.has_value() && *caller.user_id == *target->creator_id;
        f.is_public = !target->is_private;
        f.acl = caller.user_id.has_value() &&
                std::find(target->acl_users.begin(), target->acl_users.end(), *caller.user_id) != target->acl_users.end();
    }
    return f;
}

// Read of one resource: ACL user, project admin, the creator, or any role of
// the project while the resource is not private.
bool resourceRead(const Facts& f) {
    return f.acl || (f.admin && f.project) || (f.creator && f.project && f.owner) || (f.any && f.project && f.is_public);
}

// Change of one resource: project admin, or a creator on its own or a
// non-private resource.
bool resourceWrite(const Facts& f) {
    return (f.admin && f.project) || (f.creator && f.project && (f.owner || f.is_public));
}

}  // namespace

bool allowed(Rule rule, const Caller& caller, const Target* target) {
    const Facts f = factsFor(caller, target);
    switch (rule) {
    case Rule::SecretsPost:
    case Rule::ContainersPost:
    case Rule::OrdersPost:
    case Rule::OrdersPut:
        return f.admin || f.creator;
    case Rule::SecretsGet:
    case Rule::ContainersGet:
    case Rule::OrdersGet:
        return f.admin || f.creator || f.observer;
    case Rule::SecretGet:
    case Rule::SecretMetaGet:
    case Rule::SecretConsumersGet:
    case Rule::SecretConsumersPost:
    case Rule::SecretConsumersDelete:
    case Rule::ContainerGet:
    case Rule::ContainerConsumersGet:
    case Rule::ContainerConsumersPost:
    case Rule::ContainerConsumersDelete:
        return resourceRead(f);
    case Rule::SecretDecrypt:
        return f.acl || (f.admin && f.project) || (f.creator && f.project && f.owner) ||
               ((f.admin || f.creator || f.observer) && f.project && f.is_public);
    case Rule::SecretPut:
        return (f.admin || f.creator) && f.project;
    case Rule::SecretDelete:
    case Rule::SecretMetaPost:
    case Rule::SecretMetaPut:
    case Rule::SecretMetaDelete:
    case Rule::SecretAclsPutPatch:
    case Rule::SecretAclsDelete:
    case Rule::ContainerSecretPost:
    case Rule::ContainerSecretDelete:
    case Rule::ContainerAclsPutPatch:
    case Rule::ContainerAclsDelete:
        return resourceWrite(f);
    case Rule::SecretAclsGet:
    case Rule::ContainerAclsGet:
        return (f.admin || f.creator || f.observer) && f.project;
    case Rule::ContainerDelete:
        return (f.admin && f.project) || (f.creator && f.project && f.owner);
    case Rule::ConsumerGet:
    case Rule::QuotasGet:
    case Rule::SecretStoresGet:
    case Rule::SecretStoreGet:
    case Rule::TransportKeysGet:
    case Rule::TransportKeyGet:
        return f.any;
    case Rule::OrderGet:
        return f.any && f.project;
    case Rule::OrderDelete:
        return f.admin && f.project;
    case Rule::SecretStorePreferredPost:
    case Rule::SecretStorePreferredDelete:
        return f.admin;
    case Rule::ProjectQuotasGet:
    case Rule::ProjectQuotasPut:
    case Rule::ProjectQuotasDelete:
    case Rule::TransportKeysPost:
    case Rule::TransportKeyDelete:
        return f.service_admin;
    }
    return false;
}

std::string_view operationName(Rule rule) {
    switch (rule) {
    case Rule::SecretsPost: return "Secret creation";
    case Rule::SecretsGet: return "Secret(s) retrieval";
    case Rule::SecretGet: return "Secret retrieval";
    case Rule::SecretDecrypt: return "Secret payload retrieval";
    case Rule::SecretPut: return "Secret update";
    case Rule::SecretDelete: return "Secret deletion";
    case Rule::SecretMetaGet: return "Secret metadata retrieval";
    case Rule::SecretMetaPost: return "Secret metadatum creation";
    case Rule::SecretMetaPut: return "Secret metadata update";
    case Rule::SecretMetaDelete: return "Secret metadatum removal";
    case Rule::SecretAclsGet: return "SecretACL(s) retrieval";
    case Rule::SecretAclsPutPatch: return "SecretACL(s) Update";
    case Rule::SecretAclsDelete: return "SecretACL(s) deletion";
    case Rule::SecretConsumersGet: return "SecretConsumers(s) retrieval";
    case Rule::SecretConsumersPost: return "SecretConsumer creation";
    case Rule::SecretConsumersDelete: return "SecretConsumer deletion";
    case Rule::ContainersPost: return "Container creation";
    case Rule::ContainersGet: return "Containers(s) retrieval";
    case Rule::ContainerGet: return "Container retrieval";
    case Rule::ContainerDelete: return "Container deletion";
    case Rule::ContainerSecretPost: return "Container Secret creation";
    case Rule::ContainerSecretDelete: return "Container Secret deletion";
    case Rule::ContainerAclsGet: return "ContainerACL(s) retrieval";
    case Rule::ContainerAclsPutPatch: return "ContainerACL(s) Update";
    case Rule::ContainerAclsDelete: return "ContainerACL(s) deletion";
    case Rule::ContainerConsumersGet: return "ContainerConsumers(s) retrieval";
    case Rule::ContainerConsumersPost: return "ContainerConsumer creation";
    case Rule::ContainerConsumersDelete: return "ContainerConsumer deletion";
    case Rule::ConsumerGet: return "ContainerConsumer retrieval";
    case Rule::OrdersPost: return "Order creation";
    case Rule::OrdersGet: return "Order(s) retrieval";
    case Rule::OrdersPut: return "Order update";
    case Rule::OrderGet: return "Order retrieval";
    case Rule::OrderDelete: return "Order deletion";
    case Rule::QuotasGet: return "Quotas retrieval";
    case Rule::ProjectQuotasGet: return "Project Quotas retrieval";
    case Rule::ProjectQuotasPut: return "Project Quotas update";
    case Rule::ProjectQuotasDelete: return "Project Quotas deletion";
    case Rule::SecretStoresGet: return "Secret stores retrieval";
    case Rule::SecretStoreGet: return "Secret store retrieval";
    case Rule::SecretStorePreferredPost: return "Preferred secret store update";
    case Rule::SecretStorePreferredDelete: return "Preferred secret store removal";
    case Rule::TransportKeysGet: return "Transport Key(s) retrieval";
    case Rule::TransportKeysPost: return "Transport Key Creation";
    case Rule::TransportKeyGet: return "Transport Key retrieval";
    case Rule::TransportKeyDelete: return "Transport Key deletion";
    }
    return "Operation";
}

std::string deniedMessage(Rule rule) {
    return std::string(operationName(rule)) + " attempt not allowed - please review your user/project privileges";
}

}  // namespace core::policy
