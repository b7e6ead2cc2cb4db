#include "core/container_rules.h"

#include "core/json_body.h"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

namespace core {
namespace {

constexpr std::string_view kContainerSchema = "Container";
constexpr std::string_view kContainerSecretSchema = "ContainerSecret";
constexpr std::string_view kRefsField = "secret_refs";

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

[[noreturn]] void throwRefsError(const std::string& reason) { throwSchemaError(kContainerSchema, reason, kRefsField); }

// Reads item `index` (1-based in messages) of secret_refs.
ContainerLink readLink(const boost::json::value& item, std::size_t index) {
    const std::string where = "item " + std::to_string(index) + " of 'secret_refs'";
    if (!item.is_object())
        throwRefsError(where + " must be of type 'object', not " + quoted(jsonTypeName(item)));
    const boost::json::object& object = item.get_object();

    ContainerLink link;
    if (const boost::json::value* name = object.if_contains("name"); name != nullptr && !name->is_null()) {
        if (!name->is_string())
            throwRefsError("'name' of " + where + " must be of type 'string' or 'null', not " +
                           quoted(jsonTypeName(*name)));
        if (utf8Length(name->get_string()) > kMaxContainerNameLength)
            throwRefsError("'name' of " + where + " is longer than 255 characters");
        link.name = std::string(name->get_string());
    }

    const boost::json::value* ref = object.if_contains("secret_ref");
    if (ref == nullptr) throwRefsError("'secret_ref' is a required property of " + where);
    if (!ref->is_string())
        throwRefsError("'secret_ref' of " + where + " must be of type 'string', not " + quoted(jsonTypeName(*ref)));
    if (ref->get_string().empty()) throwRefsError("'secret_ref' of " + where + " must not be empty");
    link.secret_ref = std::string(ref->get_string());
    link.secret_id = secretIdOfRef(link.secret_ref);
    return link;
}

// Link name as the uniqueness check compares it: an absent name counts as "",
// while null stays distinct from every string (upstream compares
// item.get('name', '') values).
std::optional<std::string> uniquenessKey(const boost::json::object& item) {
    const boost::json::value* name = item.if_contains("name");
    if (name == nullptr) return std::string();
    if (name->is_null()) return std::nullopt;
    return std::string(name->get_string());
}

void checkUniqueNames(const boost::json::array& items) {
    std::set<std::optional<std::string>> seen;
    for (const boost::json::value& item : items) {
        if (!seen.insert(uniquenessKey(item.get_object())).second)
            throwRefsError("Duplicate reference names are not allowed");
    }
}

void checkUniqueSecretIds(const std::vector<ContainerLink>& links) {
    std::set<std::string> seen;
    for (const ContainerLink& link : links) {
        if (!seen.insert(link.secret_id).second) throwRefsError("Duplicate secret ids are not allowed");
    }
}

void checkHrefPrefix(const std::vector<ContainerLink>& links, std::string_view prefix) {
    for (std::size_t i = 0; i < links.size(); ++i) {
        if (links[i].secret_ref.rfind(prefix, 0) != 0)
            throwRefsError("'secret_ref' of item " + std::to_string(i + 1) + " of 'secret_refs' must start with " +
                           quoted(prefix));
    }
}

// Names of `links` must all be in `allowed` and include every name of `required`.
void checkTypeNames(const std::vector<ContainerLink>& links, const std::vector<std::string_view>& allowed,
                    const std::vector<std::string_view>& required, const std::string& allowed_reason,
                    const std::string& required_reason) {
    for (const ContainerLink& link : links) {
        const bool known = link.name && std::find(allowed.begin(), allowed.end(), *link.name) != allowed.end();
        if (!known) throwRefsError(allowed_reason);
    }
    for (std::string_view name : required) {
        const bool present = std::any_of(links.begin(), links.end(),
                                         [&](const ContainerLink& link) { return link.name && *link.name == name; });
        if (!present) throwRefsError(required_reason);
    }
}

void checkTypeRules(const std::string& type, const std::vector<ContainerLink>& links) {
    if (type == "rsa") {
        checkTypeNames(links, {"public_key", "private_key", "private_key_passphrase"}, {"public_key", "private_key"},
                       "only 'private_key', 'public_key' and 'private_key_passphrase' reference names are allowed "
                       "for RSA type",
                       "The minimum required reference names are 'public_key' and 'private_key' for RSA type");
    } else if (type == "certificate") {
        checkTypeNames(links, {"certificate", "private_key", "private_key_passphrase", "intermediates"},
                       {"certificate"},
                       "only 'private_key', 'certificate', 'private_key_passphrase' and 'intermediates' reference "
                       "names are allowed for Certificate type",
                       "The minimum required reference name is 'certificate' for Certificate type");
    }
}

std::string readType(const boost::json::object& body) {
    const boost::json::value* type = body.if_contains("type");
    if (type == nullptr) throwSchemaError(kContainerSchema, "'type' is a required property", "type");
    if (!type->is_string())
        throwSchemaError(kContainerSchema, "'type' must be of type 'string', not " + quoted(jsonTypeName(*type)),
                         "type");
    const std::string_view text = type->get_string();
    if (std::find(kContainerTypes.begin(), kContainerTypes.end(), text) == kContainerTypes.end())
        throwSchemaError(kContainerSchema, quoted(text) + " is not one of ['generic', 'rsa', 'certificate']", "type");
    return std::string(text);
}

}  // namespace

NewContainer parseNewContainer(const boost::json::object& body, std::string_view secrets_href_prefix) {
    NewContainer container;
    container.type = readType(body);
    container.name = optionalString(body, kContainerSchema, "name", kMaxContainerNameLength, JsonNull::Allow);

    const boost::json::value* refs = body.if_contains(kRefsField);
    if (refs == nullptr) return container;
    if (!refs->is_array())
        throwRefsError("'secret_refs' must be of type 'array', not " + quoted(jsonTypeName(*refs)));
    const boost::json::array& items = refs->get_array();
    for (std::size_t i = 0; i < items.size(); ++i) container.links.push_back(readLink(items[i], i + 1));
    if (container.links.empty()) return container;

    checkUniqueNames(items);
    checkUniqueSecretIds(container.links);
    checkHrefPrefix(container.links, secrets_href_prefix);
    checkTypeRules(container.type, container.links);
    return container;
}

ContainerLink parseContainerSecret(const boost::json::object& body) {
    ContainerLink link;
    link.name = optionalString(body, kContainerSecretSchema, "name", kMaxContainerNameLength);
    link.secret_ref = requiredString(body, kContainerSecretSchema, "secret_ref", std::numeric_limits<std::size_t>::max());
    if (link.secret_ref.empty())
        throwSchemaError(kContainerSecretSchema, "'secret_ref' must not be empty", "secret_ref");
    link.secret_id = secretIdOfRef(link.secret_ref);
    return link;
}

std::string secretIdOfRef(std::string_view secret_ref) {
    while (!secret_ref.empty() && secret_ref.back() == '/') secret_ref.remove_suffix(1);
    const auto slash = secret_ref.rfind('/');
    return std::string(slash == std::string_view::npos ? secret_ref : secret_ref.substr(slash + 1));
}

std::string displayLinkName(const std::optional<std::string>& name) { return name ? *name : "None"; }

boost::json::object containerJson(const ContainerRecord& container, std::string_view base_href) {
    const std::string base(base_href);
    boost::json::array secret_refs;
    for (const ContainerRecord::Link& link : container.links) {
        boost::json::object item;
        item["name"] = link.name ? boost::json::value(*link.name) : boost::json::value(nullptr);
        item["secret_ref"] = base + "/v1/secrets/" + link.secret_id;
        secret_refs.push_back(std::move(item));
    }
    boost::json::array consumers;
    for (const ContainerRecord::Consumer& consumer : container.consumers) {
        consumers.push_back(boost::json::object{{"name", consumer.name}, {"URL", consumer.url}});
    }

    boost::json::object json;
    json["container_ref"] = base + "/v1/containers/" + container.id;
    json["name"] = container.name ? boost::json::value(*container.name) : boost::json::value(nullptr);
    json["type"] = container.type;
    json["status"] = container.status;
    json["created"] = container.created;
    json["updated"] = container.updated;
    json["creator_id"] = container.creator_id ? boost::json::value(*container.creator_id) : boost::json::value(nullptr);
    json["secret_refs"] = std::move(secret_refs);
    json["consumers"] = std::move(consumers);
    return json;
}

}  // namespace core
