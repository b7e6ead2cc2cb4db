#pragma once

// Validation of consumer registration bodies of the Barbican v1 API, for
// /v1/containers/{id}/consumers and /v1/secrets/{id}/consumers. Functions
// take parsed JSON (see json_body.h) and throw core::Error InvalidInput (400).

#include <boost/json.hpp>

#include <cstddef>
#include <string>

namespace core {

inline constexpr std::size_t kMaxConsumerNameLength = 36;
inline constexpr std::size_t kMaxConsumerUrlLength = 255;
inline constexpr std::size_t kMaxConsumerServiceLength = 255;
inline constexpr std::size_t kMaxConsumerResourceTypeLength = 255;
// Width of secret_consumers.resource_id; upstream stores 36 characters too.
inline constexpr std::size_t kMaxConsumerResourceIdLength = 36;

// Body of a container consumer registration or removal.
struct ContainerConsumerBody {
    std::string name;
    std::string url;
};

// Validates {"name", "URL"} (schema "Consumer"): both required strings, name
// 1..36 and URL 1..255 characters. Other fields are ignored.
ContainerConsumerBody parseContainerConsumer(const boost::json::object& body);

// Body of a secret consumer registration or removal.
struct SecretConsumerBody {
    std::string service;
    std::string resource_type;
    std::string resource_id;
};

// Validates {"service", "resource_type", "resource_id"} (schema "Secret
// Consumer"): all required strings, service and resource_type 1..255 and
// resource_id 1..36 characters. Other fields are ignored.
SecretConsumerBody parseSecretConsumer(const boost::json::object& body);

}  // namespace core
