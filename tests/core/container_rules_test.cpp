#include "core/container_rules.h"
#include "core/error.h"
#include "core/json_body.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

namespace {

const std::string kPrefix = "http://kms.test:9311/v1/secrets/";
const std::string kIdA = "0b8e7a52-3c1d-4f6e-9a2b-5d4c3b2a1f00";
const std::string kIdB = "d41c9e3a-7b2f-4a8d-b1e6-2c5f8a9d0e17";
const std::string kIdC = "7d2c5b8e-1f4a-4c3b-9e6d-0a1b2c3d4e5f";
const std::string kIdD = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b";

boost::json::object json(std::string_view text) { return core::parseJsonObject(text, 100000); }

core::NewContainer parse(std::string_view text) { return core::parseNewContainer(json(text), kPrefix); }

std::string ref(const std::string& id) { return kPrefix + id; }

// A secret_refs item; `name` "-" leaves the name out, "null" sends JSON null.
std::string item(const std::string& name, const std::string& secret_ref) {
    if (name == "-") return R"({"secret_ref": ")" + secret_ref + R"("})";
    if (name == "null") return R"({"name": null, "secret_ref": ")" + secret_ref + R"("})";
    return R"({"name": ")" + name + R"(", "secret_ref": ")" + secret_ref + R"("})";
}

std::string body(const std::string& type, const std::vector<std::string>& items) {
    std::string refs;
    for (const std::string& text : items) refs += (refs.empty() ? "" : ", ") + text;
    return R"({"type": ")" + type + R"(", "secret_refs": [)" + refs + "]}";
}

// The description of the InvalidInput error `text` raises; fails otherwise.
std::string rejection(std::string_view text) {
    try {
        parse(text);
    } catch (const core::Error& error) {
        CHECK(error.kind() == core::ErrorKind::InvalidInput);
        return error.what();
    }
    FAIL("accepted: " << text);
    return {};
}

bool mentions(const std::string& message, std::string_view part) { return message.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("parseNewContainer minimal generic", "[unit]") {
    const core::NewContainer container = parse(R"({"type": "generic"})");
    CHECK(container.type == "generic");
    CHECK_FALSE(container.name.has_value());
    CHECK(container.links.empty());
}

TEST_CASE("parseNewContainer reads name and links", "[unit]") {
    const core::NewContainer container =
        parse(body("generic", {item("  first ", ref(kIdA)), item("-", ref(kIdB) + "/"), item("null", ref(kIdC))})
                  .insert(1, R"("name": " web ", )"));
    CHECK(container.name == std::optional<std::string>("web"));
    REQUIRE(container.links.size() == 3);
    CHECK(container.links[0].name == std::optional<std::string>("first"));
    CHECK(container.links[0].secret_id == kIdA);
    CHECK(container.links[0].secret_ref == ref(kIdA));
    CHECK_FALSE(container.links[1].name.has_value());
    CHECK(container.links[1].secret_id == kIdB);
    CHECK_FALSE(container.links[2].name.has_value());
    CHECK(container.links[2].secret_id == kIdC);
}

TEST_CASE("parseNewContainer null name accepted", "[unit]") {
    CHECK_FALSE(parse(R"({"type": "generic", "name": null})").name.has_value());
}

TEST_CASE("parseNewContainer schema rejections", "[unit]") {
    struct Case {
        std::string body;
        std::string field;
    };
    const std::string long_name(256, 'n');
    const std::vector<Case> cases = {
        {R"({})", "type"},
        {R"({"type": null})", "type"},
        {R"({"type": 5})", "type"},
        {R"({"type": "dsa"})", "type"},
        {R"({"type": "Generic"})", "type"},
        {R"({"type": "generic", "name": 5})", "name"},
        {R"({"type": "generic", "name": ")" + long_name + R"("})", "name"},
        {R"({"type": "generic", "secret_refs": null})", "secret_refs"},
        {R"({"type": "generic", "secret_refs": {}})", "secret_refs"},
        {R"({"type": "generic", "secret_refs": ["x"]})", "secret_refs"},
        {R"({"type": "generic", "secret_refs": [{"name": "a"}]})", "secret_refs"},
        {R"({"type": "generic", "secret_refs": [{"name": "a", "secret_ref": ""}]})", "secret_refs"},
        {R"({"type": "generic", "secret_refs": [{"name": "a", "secret_ref": "   "}]})", "secret_refs"},
        {R"({"type": "generic", "secret_refs": [{"name": "a", "secret_ref": 5}]})", "secret_refs"},
        {R"({"type": "generic", "secret_refs": [{"name": 5, "secret_ref": "x"}]})", "secret_refs"},
        {R"({"type": "generic", "secret_refs": [{"name": ")" + long_name + R"(", "secret_ref": "x"}]})",
         "secret_refs"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.body);
        const std::string message = rejection(c.body);
        CHECK(mentions(message, "Provided object does not match schema 'Container'"));
        CHECK(mentions(message, "Invalid property: '" + c.field + "'"));
    }
}

TEST_CASE("parseNewContainer 255 character names accepted", "[unit]") {
    const std::string name(255, 'n');
    const core::NewContainer container = parse(R"({"type": "generic", "name": ")" + name +
                                               R"(", "secret_refs": [{"name": ")" + name + R"(", "secret_ref": ")" +
                                               ref(kIdA) + R"("}]})");
    CHECK(container.name == std::optional<std::string>(name));
    CHECK(container.links.at(0).name == std::optional<std::string>(name));
}

TEST_CASE("parseNewContainer duplicate link names", "[unit]") {
    CHECK(mentions(rejection(body("generic", {item("a", ref(kIdA)), item("a", ref(kIdB))})),
                   "Duplicate reference names"));
    // An absent name counts as "".
    CHECK(mentions(rejection(body("generic", {item("-", ref(kIdA)), item("", ref(kIdB))})),
                   "Duplicate reference names"));
    CHECK(mentions(rejection(body("generic", {item("-", ref(kIdA)), item("-", ref(kIdB))})),
                   "Duplicate reference names"));
    CHECK(mentions(rejection(body("generic", {item("null", ref(kIdA)), item("null", ref(kIdB))})),
                   "Duplicate reference names"));
    // Null is not "".
    CHECK(parse(body("generic", {item("-", ref(kIdA)), item("null", ref(kIdB))})).links.size() == 2);
}

TEST_CASE("parseNewContainer duplicate secret ids", "[unit]") {
    CHECK(mentions(rejection(body("generic", {item("a", ref(kIdA)), item("b", ref(kIdA))})),
                   "Duplicate secret ids"));
    // A trailing slash does not make another id.
    CHECK(mentions(rejection(body("generic", {item("a", ref(kIdA)), item("b", ref(kIdA) + "/")})),
                   "Duplicate secret ids"));
}

TEST_CASE("parseNewContainer foreign hrefs rejected", "[unit]") {
    const std::vector<std::string> refs = {
        "http://evil.test:9311/v1/secrets/" + kIdA,
        "https://kms.test:9311/v1/secrets/" + kIdA,
        "http://kms.test:9312/v1/secrets/" + kIdA,
        "http://kms.test:9311/v1/secretsX/" + kIdA,
        "http://kms.test:9311/v1/containers/" + kIdA,
        "http://kms.test:9311/v1/secrets",
        kIdA,
    };
    for (const std::string& secret_ref : refs) {
        CAPTURE(secret_ref);
        const std::string message = rejection(body("generic", {item("a", secret_ref)}));
        CHECK(mentions(message, "must start with '" + kPrefix + "'"));
        CHECK(mentions(message, "Invalid property: 'secret_refs'"));
    }
}

TEST_CASE("parseNewContainer check order", "[unit]") {
    const std::string foreign = "http://evil.test/v1/secrets/";
    // Duplicate names come before duplicate ids, ids before the href prefix,
    // and the prefix before the type rules.
    CHECK(mentions(rejection(body("generic", {item("a", foreign + kIdA), item("a", foreign + kIdA)})),
                   "Duplicate reference names"));
    CHECK(mentions(rejection(body("rsa", {item("x", foreign + kIdA), item("y", foreign + kIdA)})),
                   "Duplicate secret ids"));
    CHECK(mentions(rejection(body("rsa", {item("x", foreign + kIdA)})), "must start with"));
}

TEST_CASE("parseNewContainer rsa rules", "[unit]") {
    const core::NewContainer full = parse(body("rsa", {item("public_key", ref(kIdA)), item("private_key", ref(kIdB)),
                                                       item("private_key_passphrase", ref(kIdC))}));
    CHECK(full.links.size() == 3);
    CHECK(parse(body("rsa", {item("private_key", ref(kIdA)), item("public_key", ref(kIdB))})).links.size() == 2);

    const std::string allowed = "only 'private_key', 'public_key' and 'private_key_passphrase'";
    CHECK(mentions(rejection(body("rsa", {item("public_key", ref(kIdA)), item("private_key", ref(kIdB)),
                                          item("certificate", ref(kIdC))})),
                   allowed));
    CHECK(mentions(rejection(body("rsa", {item("public_key", ref(kIdA)), item("-", ref(kIdB))})), allowed));
    CHECK(mentions(rejection(body("rsa", {item("public_key", ref(kIdA)), item("null", ref(kIdB))})), allowed));

    const std::string required = "minimum required reference names are 'public_key' and 'private_key'";
    CHECK(mentions(rejection(body("rsa", {item("public_key", ref(kIdA))})), required));
    CHECK(mentions(rejection(body("rsa", {item("private_key", ref(kIdA)),
                                          item("private_key_passphrase", ref(kIdB))})),
                   required));
}

TEST_CASE("parseNewContainer certificate rules", "[unit]") {
    CHECK(parse(body("certificate", {item("certificate", ref(kIdA))})).links.size() == 1);
    CHECK(parse(body("certificate", {item("certificate", ref(kIdA)), item("private_key", ref(kIdB)),
                                     item("private_key_passphrase", ref(kIdC)), item("intermediates", ref(kIdD))}))
              .links.size() == 4);

    CHECK(mentions(rejection(body("certificate", {item("certificate", ref(kIdA)), item("public_key", ref(kIdB))})),
                   "reference names are allowed for Certificate type"));
    CHECK(mentions(rejection(body("certificate", {item("private_key", ref(kIdA))})),
                   "minimum required reference name is 'certificate'"));
}

TEST_CASE("parseNewContainer empty refs pass every type", "[unit]") {
    for (const std::string type : {"generic", "rsa", "certificate"}) {
        CAPTURE(type);
        CHECK(parse(R"({"type": ")" + type + R"(", "secret_refs": []})").links.empty());
        CHECK(parse(R"({"type": ")" + type + R"("})").links.empty());
    }
}

TEST_CASE("parseNewContainer generic allows any names", "[unit]") {
    const core::NewContainer container =
        parse(body("generic", {item("anything", ref(kIdA)), item("", ref(kIdB)), item("null", ref(kIdC))}));
    CHECK(container.links.size() == 3);
    CHECK(container.links[1].name == std::optional<std::string>(""));
}

TEST_CASE("parseContainerSecret accepts name and ref", "[unit]") {
    const core::ContainerLink link =
        core::parseContainerSecret(json(R"({"name": " a ", "secret_ref": "http://other/v1/secrets/)" + kIdA + R"(/"})"));
    CHECK(link.name == std::optional<std::string>("a"));
    CHECK(link.secret_id == kIdA);
    CHECK_FALSE(core::parseContainerSecret(json(R"({"secret_ref": "x"})")).name.has_value());
}

TEST_CASE("parseContainerSecret rejections", "[unit]") {
    struct Case {
        std::string body;
        std::string field;
    };
    const std::vector<Case> cases = {
        {R"({"name": "a"})", "secret_ref"},
        {R"({"name": "a", "secret_ref": ""})", "secret_ref"},
        {R"({"name": "a", "secret_ref": null})", "secret_ref"},
        {R"({"name": "a", "secret_ref": 5})", "secret_ref"},
        {R"({"name": null, "secret_ref": "x"})", "name"},
        {R"({"name": 5, "secret_ref": "x"})", "name"},
        {R"({"name": ")" + std::string(256, 'n') + R"(", "secret_ref": "x"})", "name"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.body);
        try {
            core::parseContainerSecret(json(c.body));
            FAIL("accepted");
        } catch (const core::Error& error) {
            CHECK(error.kind() == core::ErrorKind::InvalidInput);
            CHECK(mentions(error.what(), "schema 'ContainerSecret'"));
            CHECK(mentions(error.what(), "Invalid property: '" + c.field + "'"));
        }
    }
}

TEST_CASE("secretIdOfRef last segment", "[unit]") {
    CHECK(core::secretIdOfRef("http://h/v1/secrets/abc") == "abc");
    CHECK(core::secretIdOfRef("http://h/v1/secrets/abc/") == "abc");
    CHECK(core::secretIdOfRef("http://h/v1/secrets/abc//") == "abc");
    CHECK(core::secretIdOfRef("abc") == "abc");
    CHECK(core::secretIdOfRef("http://h/v1/secrets/") == "secrets");
}

TEST_CASE("displayLinkName none for null", "[unit]") {
    CHECK(core::displayLinkName(std::nullopt) == "None");
    CHECK(core::displayLinkName(std::string("key")) == "key");
}

TEST_CASE("containerJson renders every field", "[unit]") {
    core::ContainerRecord record;
    record.id = kIdA;
    record.type = "rsa";
    record.status = "ACTIVE";
    record.created = "2031-02-03T04:05:06";
    record.updated = "2031-02-03T04:05:07.000001";
    record.links = {{std::string("public_key"), kIdB}, {std::nullopt, kIdC}};
    record.consumers = {{"svc", "http://svc"}};

    const boost::json::object json = core::containerJson(record, "https://kms.test");
    CHECK(json.at("container_ref").as_string() == "https://kms.test/v1/containers/" + kIdA);
    CHECK(json.at("name").is_null());
    CHECK(json.at("type") == "rsa");
    CHECK(json.at("status") == "ACTIVE");
    CHECK(json.at("created") == "2031-02-03T04:05:06");
    CHECK(json.at("updated") == "2031-02-03T04:05:07.000001");
    CHECK(json.at("creator_id").is_null());
    const auto& refs = json.at("secret_refs").as_array();
    REQUIRE(refs.size() == 2);
    CHECK(refs[0].at("name") == "public_key");
    CHECK(refs[0].at("secret_ref").as_string() == "https://kms.test/v1/secrets/" + kIdB);
    CHECK(refs[1].at("name").is_null());
    const auto& consumers = json.at("consumers").as_array();
    REQUIRE(consumers.size() == 1);
    CHECK(consumers[0].at("name") == "svc");
    CHECK(consumers[0].at("URL") == "http://svc");
    CHECK(json.size() == 9);
}
