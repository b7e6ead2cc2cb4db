#include "core/consumer_rules.h"

#include "core/json_body.h"

namespace core {
namespace {

// A required string field of 1..max_len characters.
std::string boundedString(const boost::json::object& body, std::string_view schema, std::string_view field,
                          std::size_t max_len) {
    std::string value = requiredString(body, schema, field, max_len);
    if (value.empty()) throwSchemaError(schema, "'" + std::string(field) + "' must not be empty", field);
    return value;
}

}  // namespace

ContainerConsumerBody parseContainerConsumer(const boost::json::object& body) {
    constexpr std::string_view kSchema = "Consumer";
    ContainerConsumerBody consumer;
    consumer.name = boundedString(body, kSchema, "name", kMaxConsumerNameLength);
    consumer.url = boundedString(body, kSchema, "URL", kMaxConsumerUrlLength);
    return consumer;
}

SecretConsumerBody parseSecretConsumer(const boost::json::object& body) {
    constexpr std::string_view kSchema = "Secret Consumer";
    SecretConsumerBody consumer;
    consumer.service = boundedString(body, kSchema, "service", kMaxConsumerServiceLength);
    consumer.resource_type = boundedString(body, kSchema, "resource_type", kMaxConsumerResourceTypeLength);
    consumer.resource_id = boundedString(body, kSchema, "resource_id", kMaxConsumerResourceIdLength);
    return consumer;
}

}  // namespace core
