#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core::policy {

// Barbican's default (legacy) policy rules, one per API operation.
enum class Rule {
    SecretsPost, SecretsGet,
    SecretGet, SecretDecrypt, SecretPut, SecretDelete,
    SecretMetaGet, SecretMetaPost, SecretMetaPut, SecretMetaDelete,
    SecretAclsGet, SecretAclsPutPatch, SecretAclsDelete,
    SecretConsumersGet, SecretConsumersPost, SecretConsumersDelete,
    ContainersPost, ContainersGet,
    ContainerGet, ContainerDelete, ContainerSecretPost, ContainerSecretDelete,
    ContainerAclsGet, ContainerAclsPutPatch, ContainerAclsDelete,
    ContainerConsumersGet, ContainerConsumersPost, ContainerConsumersDelete,
    ConsumerGet,
    OrdersPost, OrdersGet, OrdersPut, OrderGet, OrderDelete,
    QuotasGet, ProjectQuotasGet, ProjectQuotasPut, ProjectQuotasDelete,
    SecretStoresGet, SecretStoreGet, SecretStorePreferredPost, SecretStorePreferredDelete,
    TransportKeysGet, TransportKeysPost, TransportKeyGet, TransportKeyDelete,
};

struct Caller {
    std::string project_id;
    std::optional<std::string> user_id;
    std::vector<std::string> roles;  // lower-case
};

// The resource a per-resource rule is checked against.
struct Target {
    std::string project_id;
    std::optional<std::string> creator_id;
    bool is_private = false;              // read ACL with project-access false
    std::vector<std::string> acl_users;   // users of the read ACL
};

// Whether `caller` may perform `rule`; `target` is required for the
// per-resource rules and ignored by collection rules.
bool allowed(Rule rule, const Caller& caller, const Target* target = nullptr);

// Operation name used in Barbican's 403 description, e.g. "Secret retrieval".
std::string_view operationName(Rule rule);

// "<Operation> attempt not allowed - please review your user/project privileges"
std::string deniedMessage(Rule rule);

}  // namespace core::policy
