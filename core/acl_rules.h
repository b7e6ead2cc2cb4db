#pragma once

// Request bodies of the ACL endpoints (PUT and PATCH of /v1/secrets/{id}/acl
// and /v1/containers/{id}/acl). Pure validation, no I/O.

#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace core {

// Maximum length of one user id in an ACL, in code points (the width of the
// users column).
inline constexpr std::size_t kMaxAclUserLength = 255;

// The read ACL of a PUT or PATCH body. Only "read" exists in Barbican.
struct AclChange {
    // False when "read" is absent or an empty object: PUT then removes the
    // stored ACL and PATCH changes nothing.
    bool read_given = false;
    std::optional<bool> project_access;
    // Users in order of first appearance, duplicates removed.
    std::optional<std::vector<std::string>> users;
};

// Validates an ACL body against Barbican's closed schema
// {"read": {"users": [string <= 255], "project-access": boolean}}: any other
// key at either level, or a value of another type, throws core::Error
// InvalidInput with a schema message naming the field. String values must
// already be whitespace-stripped (parseJsonObject does it).
AclChange parseAclChange(const boost::json::object& body);

}  // namespace core
