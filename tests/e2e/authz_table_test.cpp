// Authorization: replays the recorded policy table of Barbican 15.0.1
// (tests/authz/reference_table.tsv, 1764 cases) against the test stack, and
// checks that one project cannot list, read or learn the contents of
// another project's resources.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <regex>
#include <sstream>

#include "core/crypto.h"
#include "tests/support/api.h"
#include "tests/support/stack.h"

namespace {

using namespace testsupport;
using boost::json::object;

TestStack& stack() { return TestStack::get(); }

HttpResponse send(const std::string& method, const std::string& target, const Headers& headers = {},
                  const std::string& body = {}) {
    return stack().client().request(method, target, headers, body);
}

Headers withHeader(Headers base, const std::string& name, const std::string& value) {
    base.emplace_back(name, value);
    return base;
}

// The "MISMATCH ..." lines and the summary line of authz.py's output.
std::string reportOf(const std::string& output) {
    std::istringstream lines(output);
    std::string line, report;
    while (std::getline(lines, line)) {
        if (line.rfind("MISMATCH", 0) == 0 || line.find(" passed, ") != std::string::npos) report += line + "\n";
    }
    return report;
}

// Ids of the items of a list response, from the ref field of each item.
std::vector<std::string> listedIds(const HttpResponse& response, const std::string& collection,
                                   const std::string& ref_field) {
    std::vector<std::string> ids;
    const boost::json::value body = response.json();
    for (const auto& item : body.at(collection).as_array())
        ids.push_back(idOf(std::string(item.at(ref_field).as_string())));
    return ids;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

TEST_CASE("authz reference table", "[e2e][authz]") {
    // Takes about four minutes: every case builds its own fixture.
    const std::string command = "cd '" + repositoryRoot() + "' && python3 tests/authz/authz.py check --url " +
                                stack().baseUrl() + " --table tests/authz/reference_table.tsv 2>/dev/null";
    int status = -1;
    const std::string output = runCommand(command, &status);
    const std::string report = reportOf(output);
    INFO(report);
    REQUIRE(status == 0);
    // The summary line proves that the cases ran: "<N> passed, 0 failed".
    std::smatch summary;
    REQUIRE(std::regex_search(report, summary, std::regex(R"((\d+) passed, 0 failed)")));
    CHECK(std::stoi(summary[1]) > 0);
}

TEST_CASE("authz project isolation", "[e2e][authz]") {
    const std::string owner_project = newProjectId();
    const Headers owner = identity(owner_project, "creator", "u-owner");
    const std::string other_project = newProjectId();
    // The other project's admin and its other roles.
    const std::vector<Headers> outsiders = {identity(other_project, "admin", "u-other"),
                                            identity(other_project, "creator", "u-other"),
                                            identity(other_project, "observer", "u-other"), identity(other_project)};

    const std::string secret_name = "isolated-" + core::newUuidV4();
    const std::string payload = "isolated-payload-" + core::newUuidV4();
    const std::string secret_ref = createTextSecret(stack().client(), owner, payload, secret_name);
    const std::string secret_id = idOf(secret_ref);
    REQUIRE(send("PUT", pathOf(secret_ref) + "/metadata", withJson(owner), R"({"metadata": {"owner-note": "hidden-note"}})")
                .status == 201);
    REQUIRE(send("PUT", pathOf(secret_ref) + "/acl", withJson(owner), R"({"read": {"users": ["hidden-acl-user"]}})")
                .status == 200);

    const std::string container_name = "isolated-" + core::newUuidV4();
    HttpResponse response =
        send("POST", "/v1/containers", withJson(owner),
             boost::json::serialize(object{{"type", "generic"}, {"name", container_name},
                                           {"secret_refs", boost::json::array{object{{"name", "k"}, {"secret_ref", secret_ref}}}}}));
    REQUIRE(response.status == 201);
    const std::string container_ref(response.json().at("container_ref").as_string());
    const std::string container_id = idOf(container_ref);

    response = send("POST", "/v1/orders", withJson(owner),
                    R"({"type": "key", "meta": {"name": "isolated-order", "algorithm": "aes", "bit_length": 256, "mode": "cbc"}})");
    REQUIRE(response.status == 202);
    const std::string order_ref(response.json().at("order_ref").as_string());
    const std::string order_id = idOf(order_ref);

    // Words that must not appear in any response to the other project.
    const std::vector<std::string> hidden = {secret_name, payload,       "hidden-note", "hidden-acl-user",
                                             container_name, "isolated-order", "u-owner",  owner_project};

    for (const Headers& outsider : outsiders) {
        // Lists of the other project do not include the owner's resources.
        response = send("GET", "/v1/secrets?limit=100", outsider);
        if (response.status == 200) CHECK_FALSE(contains(listedIds(response, "secrets", "secret_ref"), secret_id));
        response = send("GET", "/v1/secrets?acl_only=true&limit=100", outsider);
        if (response.status == 200) CHECK_FALSE(contains(listedIds(response, "secrets", "secret_ref"), secret_id));
        response = send("GET", "/v1/containers?limit=100", outsider);
        if (response.status == 200)
            CHECK_FALSE(contains(listedIds(response, "containers", "container_ref"), container_id));
        response = send("GET", "/v1/orders?limit=100", outsider);
        if (response.status == 200) CHECK_FALSE(contains(listedIds(response, "orders", "order_ref"), order_id));

        // Direct reads are refused, and the refusals reveal nothing.
        const std::vector<std::pair<std::string, Headers>> reads = {
            {pathOf(secret_ref), outsider},
            {pathOf(secret_ref) + "/payload", withHeader(outsider, "Accept", "text/plain")},
            {pathOf(secret_ref), withHeader(outsider, "Accept", "text/plain")},
            {pathOf(secret_ref) + "/metadata", outsider},
            {pathOf(secret_ref) + "/metadata/owner-note", outsider},
            {pathOf(secret_ref) + "/acl", outsider},
            {pathOf(secret_ref) + "/consumers", outsider},
            {pathOf(container_ref), outsider},
            {pathOf(container_ref) + "/acl", outsider},
            {pathOf(container_ref) + "/consumers", outsider},
            {pathOf(order_ref), outsider},
        };
        for (const auto& [path, headers] : reads) {
            INFO(path);
            response = send("GET", path, headers);
            INFO(response.body);
            CHECK((response.status == 403 || response.status == 404));
            for (const std::string& word : hidden) CHECK(response.body.find(word) == std::string::npos);
        }
    }

    // Nothing the outsiders did changed the owner's resources.
    response = send("GET", pathOf(secret_ref) + "/payload", withHeader(owner, "Accept", "text/plain"));
    CHECK(response.status == 200);
    CHECK(response.body == payload);
}
