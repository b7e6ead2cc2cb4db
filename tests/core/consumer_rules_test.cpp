#include "core/consumer_rules.h"
#include "core/error.h"
#include "core/json_body.h"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

namespace {

boost::json::object json(std::string_view text) { return core::parseJsonObject(text, 100000); }

struct Case {
    std::string body;
    std::string field;
};

// Every case must raise InvalidInput from `schema` naming its field.
void checkRejections(const std::vector<Case>& cases, const std::string& schema,
                     const std::function<void(const boost::json::object&)>& parse) {
    for (const Case& c : cases) {
        CAPTURE(c.body);
        try {
            parse(json(c.body));
            FAIL("accepted");
        } catch (const core::Error& error) {
            const std::string message = error.what();
            CHECK(error.kind() == core::ErrorKind::InvalidInput);
            CHECK(message.find("schema '" + schema + "'") != std::string::npos);
            CHECK(message.find("Invalid property: '" + c.field + "'") != std::string::npos);
        }
    }
}

}  // namespace

TEST_CASE("parseContainerConsumer valid body", "[unit]") {
    const core::ContainerConsumerBody consumer =
        core::parseContainerConsumer(json(R"({"name": " lb ", "URL": " http://lb/1 ", "extra": 1})"));
    CHECK(consumer.name == "lb");
    CHECK(consumer.url == "http://lb/1");
}

TEST_CASE("parseContainerConsumer length limits", "[unit]") {
    const std::string name(36, 'n');
    const std::string url(255, 'u');
    const core::ContainerConsumerBody consumer =
        core::parseContainerConsumer(json(R"({"name": ")" + name + R"(", "URL": ")" + url + R"("})"));
    CHECK(consumer.name == name);
    CHECK(consumer.url == url);
}

TEST_CASE("parseContainerConsumer rejections", "[unit]") {
    const std::vector<Case> cases = {
        {R"({"URL": "http://a"})", "name"},
        {R"({"name": "a"})", "URL"},
        {R"({"name": null, "URL": "http://a"})", "name"},
        {R"({"name": 5, "URL": "http://a"})", "name"},
        {R"({"name": "", "URL": "http://a"})", "name"},
        {R"({"name": "  ", "URL": "http://a"})", "name"},
        {R"({"name": ")" + std::string(37, 'n') + R"(", "URL": "http://a"})", "name"},
        {R"({"name": "a", "URL": ""})", "URL"},
        {R"({"name": "a", "URL": 5})", "URL"},
        {R"({"name": "a", "url": "http://a"})", "URL"},
        {R"({"name": "a", "URL": ")" + std::string(256, 'u') + R"("})", "URL"},
    };
    checkRejections(cases, "Consumer", [](const boost::json::object& body) { core::parseContainerConsumer(body); });
}

TEST_CASE("parseSecretConsumer valid body", "[unit]") {
    const core::SecretConsumerBody consumer = core::parseSecretConsumer(
        json(R"({"service": "volume", "resource_type": " volume ", "resource_id": "7d2c5b8e-1f4a-4c3b-9e6d-0a1b2c3d4e5f"})"));
    CHECK(consumer.service == "volume");
    CHECK(consumer.resource_type == "volume");
    CHECK(consumer.resource_id == "7d2c5b8e-1f4a-4c3b-9e6d-0a1b2c3d4e5f");
}

TEST_CASE("parseSecretConsumer length limits", "[unit]") {
    const std::string long_text(255, 's');
    const std::string id(36, 'i');
    const core::SecretConsumerBody consumer = core::parseSecretConsumer(json(
        R"({"service": ")" + long_text + R"(", "resource_type": ")" + long_text + R"(", "resource_id": ")" + id + R"("})"));
    CHECK(consumer.service == long_text);
    CHECK(consumer.resource_type == long_text);
    CHECK(consumer.resource_id == id);
}

TEST_CASE("parseSecretConsumer rejections", "[unit]") {
    const std::vector<Case> cases = {
        {R"({"resource_type": "t", "resource_id": "i"})", "service"},
        {R"({"service": "s", "resource_id": "i"})", "resource_type"},
        {R"({"service": "s", "resource_type": "t"})", "resource_id"},
        {R"({"service": "", "resource_type": "t", "resource_id": "i"})", "service"},
        {R"({"service": "s", "resource_type": "", "resource_id": "i"})", "resource_type"},
        {R"({"service": "s", "resource_type": "t", "resource_id": ""})", "resource_id"},
        {R"({"service": "s", "resource_type": "t", "resource_id": 5})", "resource_id"},
        {R"({"service": null, "resource_type": "t", "resource_id": "i"})", "service"},
        {R"({"service": ")" + std::string(256, 's') + R"(", "resource_type": "t", "resource_id": "i"})", "service"},
        {R"({"service": "s", "resource_type": ")" + std::string(256, 't') + R"(", "resource_id": "i"})",
         "resource_type"},
        {R"({"service": "s", "resource_type": "t", "resource_id": ")" + std::string(37, 'i') + R"("})", "resource_id"},
    };
    checkRejections(cases, "Secret Consumer",
                    [](const boost::json::object& body) { core::parseSecretConsumer(body); });
}
