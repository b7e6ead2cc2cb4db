// The real python-barbicanclient command line against the test stack:
// `barbican --no-auth ... secret store/list/get/delete`.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "tests/support/api.h"
#include "tests/support/stack.h"

namespace {

using namespace testsupport;

struct CliResult {
    int status = -1;
    std::string output;  // standard output only, because the client logs to stderr
};

// Runs `barbican <arguments>` as project `project` against the stack, with a
// two-minute limit.
CliResult barbican(const std::string& project, const std::string& arguments) {
    const TestStack& stack = TestStack::get();
    CliResult result;
    result.output = runCommand("timeout 120 barbican --no-auth --endpoint " + stack.baseUrl() + " --os-project-id '" +
                                   project + "' " + arguments + " 2>/dev/null",
                               &result.status);
    return result;
}

boost::json::value parseOutput(const CliResult& result) {
    INFO(result.output);
    REQUIRE(result.status == 0);
    return boost::json::parse(result.output);
}

}  // namespace

TEST_CASE("secret client store get list delete", "[e2e][secrets][client]") {
    int found = -1;
    runCommand("command -v barbican > /dev/null", &found);
    if (found != 0) FAIL("the barbican command (python3-barbicanclient) is not installed");

    const std::string project = newProjectId();
    const auto stored = parseOutput(barbican(project, "secret store --name cli-secret --payload 'hello from the client'"
                                                      " --secret-type passphrase -f json"));
    const std::string href(stored.at("Secret href").as_string());
    CHECK(href.rfind(TestStack::get().baseUrl() + "/v1/secrets/", 0) == 0);
    CHECK(stored.at("Name").as_string() == "cli-secret");

    const auto metadata = parseOutput(barbican(project, "secret get '" + href + "' -f json"));
    CHECK(metadata.at("Name").as_string() == "cli-secret");
    CHECK(metadata.at("Status").as_string() == "ACTIVE");
    CHECK(metadata.at("Secret type").as_string() == "passphrase");
    // `secret store --payload` (python-barbicanclient 5.4) sends the payload
    // as UTF-8 bytes, base64-encoded, with type application/octet-stream.
    CHECK(metadata.at("Content types").at("default").as_string() == "application/octet-stream");

    const auto payload = parseOutput(barbican(project, "secret get --payload '" + href + "' -f json"));
    CHECK(payload.at("Payload").as_string() == "hello from the client");

    const auto text = parseOutput(barbican(project, "secret store --name cli-text --payload 'plain words'"
                                                    " --payload-content-type text/plain -f json"));
    const std::string text_href(text.at("Secret href").as_string());
    CHECK(TestStack::get().sql("SELECT content_type FROM secrets WHERE id = '" + idOf(text_href) + "'") == "text/plain");
    CHECK(parseOutput(barbican(project, "secret get --payload '" + text_href + "' -f json")).at("Payload").as_string() ==
          "plain words");
    CHECK(barbican(project, "secret delete '" + text_href + "'").status == 0);

    const auto listed = parseOutput(barbican(project, "secret list -f json"));
    REQUIRE(listed.as_array().size() == 1);
    CHECK(listed.at(0).at("Secret href").as_string() == href);
    CHECK(parseOutput(barbican(newProjectId(), "secret list -f json")).as_array().empty());

    const CliResult deleted = barbican(project, "secret delete '" + href + "'");
    CHECK(deleted.status == 0);
    CHECK(TestStack::get().sql("SELECT deleted FROM secrets WHERE id = '" + idOf(href) + "'") == "t");
    const CliResult gone = barbican(project, "secret get '" + href + "' -f json");
    CHECK(gone.status != 0);
    CHECK(parseOutput(barbican(project, "secret list -f json")).as_array().empty());
}
