#pragma once

// Validation of container requests of the Barbican v1 API (POST
// /v1/containers and the add/remove-secret body), and the container JSON
// document. Functions take parsed JSON (see json_body.h) and throw
// core::Error InvalidInput (400).

#include <boost/json.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

inline constexpr std::array<std::string_view, 3> kContainerTypes = {"generic", "rsa", "certificate"};
inline constexpr std::size_t kMaxContainerNameLength = 255;

// One (name, secret) link of a container request.
struct ContainerLink {
    std::optional<std::string> name;  // absent and null are both stored as NULL
    std::string secret_ref;           // as sent, trimmed
    std::string secret_id;            // last path segment of secret_ref
};

// Body of POST /v1/containers after validation.
struct NewContainer {
    std::string type;
    std::optional<std::string> name;
    std::vector<ContainerLink> links;
};

// Validates a POST /v1/containers body (schema name "Container"). The schema:
// `type` required and one of kContainerTypes, `name` a string or null of at
// most 255 characters, `secret_refs` an array of objects with `name` (string
// or null, at most 255) and a non-empty string `secret_ref`.
// When `secret_refs` is not empty, these checks follow in order:
//  1. link names unique (an absent name counts as "", null only equals null);
//  2. secret ids unique;
//  3. every secret_ref starts with `secrets_href_prefix` ("{base}/v1/secrets/");
//  4. the link names allowed and required by the container type.
NewContainer parseNewContainer(const boost::json::object& body, std::string_view secrets_href_prefix);

// Validates the body of POST and DELETE /v1/containers/{id}/secrets (schema
// "ContainerSecret"): `name` an optional string of at most 255 characters
// (null is rejected), `secret_ref` a required non-empty string. No prefix check.
ContainerLink parseContainerSecret(const boost::json::object& body);

// Id a secret href points to: its last path segment, trailing '/' ignored.
std::string secretIdOfRef(std::string_view secret_ref);

// A link name as upstream error messages print it: the name, or "None".
std::string displayLinkName(const std::optional<std::string>& name);

// A stored container, ready to be rendered.
struct ContainerRecord {
    struct Link {
        std::optional<std::string> name;
        std::string secret_id;
    };
    struct Consumer {
        std::string name;
        std::string url;
    };

    std::string id;
    std::optional<std::string> name;
    std::string type;
    std::string status;
    std::string created;  // API timestamp text
    std::string updated;
    std::optional<std::string> creator_id;
    std::vector<Link> links;
    std::vector<Consumer> consumers;
};

// The container document: container_ref, name, type, status, created,
// updated, creator_id, secret_refs [{name, secret_ref}] and consumers
// [{name, URL}]. `base_href` is "scheme://host[:port]" without a trailing '/'.
boost::json::object containerJson(const ContainerRecord& container, std::string_view base_href);

}  // namespace core
