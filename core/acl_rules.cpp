#include "core/acl_rules.h"

#include <algorithm>
#include <string_view>

#include "core/json_body.h"

namespace core {
namespace {

constexpr std::string_view kSchema = "ACL";

[[noreturn]] void throwUnexpectedKey(std::string_view key, std::string_view field) {
    throwSchemaError(kSchema, "Additional properties are not allowed ('" + std::string(key) + "' was unexpected)",
                     field);
}

std::vector<std::string> parseUsers(const boost::json::value& value) {
    if (!value.is_array()) {
        throwSchemaError(kSchema, "'users' must be of type 'array', not '" + std::string(jsonTypeName(value)) + "'",
                         "users");
    }
    std::vector<std::string> users;
    for (const boost::json::value& item : value.get_array()) {
        if (!item.is_string()) {
            throwSchemaError(kSchema,
                             "each user in 'users' must be of type 'string', not '" +
                                 std::string(jsonTypeName(item)) + "'",
                             "users");
        }
        const std::string_view user = item.get_string();
        if (utf8Length(user) > kMaxAclUserLength) {
            throwSchemaError(kSchema,
                             "a user in 'users' is longer than " + std::to_string(kMaxAclUserLength) + " characters",
                             "users");
        }
        if (std::find(users.begin(), users.end(), user) == users.end()) users.emplace_back(user);
    }
    return users;
}

}  // namespace

AclChange parseAclChange(const boost::json::object& body) {
    for (const auto& member : body) {
        if (member.key() != "read") throwUnexpectedKey(member.key(), "None");
    }

    AclChange change;
    const boost::json::object* read = optionalObject(body, kSchema, "read");
    if (read == nullptr || read->empty()) return change;

    for (const auto& member : *read) {
        if (member.key() != "users" && member.key() != "project-access") throwUnexpectedKey(member.key(), "read");
    }
    change.read_given = true;

    if (const boost::json::value* access = read->if_contains("project-access")) {
        if (!access->is_bool()) {
            throwSchemaError(kSchema,
                             "'project-access' must be of type 'boolean', not '" + std::string(jsonTypeName(*access)) +
                                 "'",
                             "project-access");
        }
        change.project_access = access->get_bool();
    }
    if (const boost::json::value* users = read->if_contains("users")) change.users = parseUsers(*users);
    return change;
}

}  // namespace core
