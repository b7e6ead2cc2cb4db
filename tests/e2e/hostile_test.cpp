// Runs the hostile-input catalog (tests/hostile/cases.jsonl, format in
// tests/hostile/README.md) through nginx against the test stack. Every case
// must get its expected status, never a 5xx, a reset or a hang, and every
// error must carry the JSON body {"code", "title", "description"}. After each
// group, ordinary requests must still succeed on every worker and no worker
// may have been restarted.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/api.h"
#include "tests/support/stack.h"

namespace {

using namespace testsupport;
namespace json = boost::json;

constexpr int kTimeoutSeconds = 10;

std::string catalogPath() { return repositoryRoot() + "/tests/hostile/cases.jsonl"; }
std::string knownFailuresPath() { return repositoryRoot() + "/tests/hostile/known_failures.tsv"; }

const std::set<std::string>& knownGroups() {
    static const std::set<std::string> groups = {"json",  "strings", "numbers", "headers",
                                                 "paths", "query",   "methods", "sizes"};
    return groups;
}

// Appends the bytes a catalog string stands for: code points up to U+00FF
// are single bytes, larger ones are written as UTF-8.
void appendCatalogBytes(std::string& out, json::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            out.push_back(static_cast<char>(lead));
            ++i;
        } else if ((lead & 0xE0) == 0xC0 && i + 1 < text.size()) {
            const unsigned code = ((lead & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
            if (code <= 0xFF) out.push_back(static_cast<char>(code));
            else out.append(text.data() + i, 2);
            i += 2;
        } else {
            const std::size_t length = (lead & 0xF0) == 0xE0 ? 3 : 4;
            out.append(text.data() + i, std::min(length, text.size() - i));
            i += length;
        }
    }
}

// A catalog string or an array of strings and {"repeat", "count"} parts, as
// bytes, placeholders not yet filled.
std::string catalogBytes(const json::value& value) {
    std::string out;
    if (value.is_string()) {
        appendCatalogBytes(out, value.as_string());
        return out;
    }
    for (const json::value& part : value.as_array()) {
        if (part.is_string()) {
            appendCatalogBytes(out, part.as_string());
            continue;
        }
        std::string piece;
        appendCatalogBytes(piece, part.at("repeat").as_string());
        const auto count = part.at("count").to_number<std::int64_t>();
        for (std::int64_t i = 0; i < count; ++i) out += piece;
    }
    return out;
}

struct Case {
    std::string id;
    std::string group;
    std::string method;
    json::value path;
    std::vector<std::pair<std::string, std::optional<json::value>>> headers;  // nullopt: remove
    std::optional<json::value> body;
    std::optional<json::value> raw;
    bool identity = true;
    bool content_length = true;
    std::string expect;
};

std::vector<Case> loadCatalog() {
    std::ifstream in(catalogPath());
    if (!in) throw std::runtime_error("failed to open " + catalogPath() + "; run tests/hostile/generate_cases.py");
    std::vector<Case> cases;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        json::object object;
        try {
            object = json::parse(line).as_object();
        } catch (const std::exception& e) {
            throw std::runtime_error(catalogPath() + ":" + std::to_string(number) + ": " + e.what());
        }
        Case item;
        item.id = json::value_to<std::string>(object.at("id"));
        item.group = json::value_to<std::string>(object.at("group"));
        item.method = json::value_to<std::string>(object.at("method"));
        item.path = object.at("path");
        item.expect = json::value_to<std::string>(object.at("expect"));
        if (const auto* headers = object.if_contains("headers")) {
            for (const json::value& pair : headers->as_array()) {
                const json::array& entry = pair.as_array();
                std::optional<json::value> value;
                if (!entry.at(1).is_null()) value = entry.at(1);
                item.headers.emplace_back(json::value_to<std::string>(entry.at(0)), value);
            }
        }
        if (const auto* body = object.if_contains("body")) item.body = *body;
        if (const auto* raw = object.if_contains("raw")) item.raw = *raw;
        if (const auto* identity = object.if_contains("identity")) item.identity = identity->as_bool();
        if (const auto* length = object.if_contains("content_length")) item.content_length = length->as_bool();
        cases.push_back(std::move(item));
    }
    return cases;
}

const std::vector<Case>& catalog() {
    static const std::vector<Case> cases = loadCatalog();
    return cases;
}

// Case id -> "responsible file: observed response", from known_failures.tsv.
std::map<std::string, std::string> loadKnownFailures() {
    std::map<std::string, std::string> known;
    std::ifstream in(knownFailuresPath());
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto first = line.find('\t');
        if (first == std::string::npos) continue;
        const auto second = line.find('\t', first + 1);
        std::string note = line.substr(first + 1);
        if (second != std::string::npos) note = line.substr(first + 1, second - first - 1) + ": " + line.substr(second + 1);
        known[line.substr(0, first)] = note;
    }
    return known;
}

bool isLowerCaseHexOrDash(const std::string& text) {
    return text.find_first_not_of("0123456789abcdef-") == std::string::npos;
}

// Whether `status` is allowed by an expectation such as "400", "4xx" or
// "2xx|405".
bool statusMatches(int status, const std::string& expect) {
    std::stringstream alternatives(expect);
    std::string option;
    while (std::getline(alternatives, option, '|')) {
        if (option.size() != 3) continue;
        const std::string text = std::to_string(status);
        if (option == text) return true;
        if (option.substr(1) == "xx" && option[0] == text[0]) return true;
    }
    return false;
}

bool expectsExactly(int status, const std::string& expect) {
    std::stringstream alternatives(expect);
    std::string option;
    while (std::getline(alternatives, option, '|')) {
        if (option == std::to_string(status)) return true;
    }
    return false;
}

std::string printable(const std::string& bytes, std::size_t max = 300) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7F) {
            out.push_back(static_cast<char>(c));
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            out += escaped;
        }
    }
    if (bytes.size() > max) out += "... (" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

// Resources the placeholders of a group's cases stand for, all in one fresh
// project.
class Fixtures {
public:
    explicit Fixtures(const HttpClient& client) : client_(client) {
        project_ = newProjectId();
        who_ = identity(project_, "", user_);
        base_ = "http://127.0.0.1:" + std::to_string(client.port());
        values_["project"] = project_;
        values_["user"] = user_;
        values_["base"] = base_;
        values_["port"] = std::to_string(client.port());
        values_["uuid"] = "5b0c8a3e-2f4d-4c1b-9e7a-6d5c4b3a2f10";
        values_["secret"] = newSecret();
        std::string upper = values_["secret"];
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        values_["SECRET"] = upper;
        values_["bare_secret"] = newBareSecret();
        values_["container"] = newContainer();
        values_["order"] = newOrder();
        const HttpResponse metadata = client_.request("PUT", "/v1/secrets/" + values_["secret"] + "/metadata",
                                                      withJson(who_), R"({"metadata": {"k": "v"}})");
        INFO(metadata.body);
        REQUIRE(metadata.status == 201);
    }

    const Headers& who() const { return who_; }
    const std::string& project() const { return project_; }
    const std::string& user() const { return user_; }

    // Replaces every {name} placeholder. Resources named new_* are created
    // once per call, so a destructive case never touches the shared ones.
    std::string fill(const std::string& text) {
        std::map<std::string, std::string> fresh;
        std::string out;
        out.reserve(text.size());
        for (std::size_t i = 0; i < text.size();) {
            if (text[i] == '{') {
                const auto close = text.find('}', i);
                if (close != std::string::npos && close - i <= 32) {
                    const std::string name = text.substr(i + 1, close - i - 1);
                    if (const auto value = lookup(name, fresh)) {
                        out += *value;
                        i = close + 1;
                        continue;
                    }
                }
            }
            out.push_back(text[i]);
            ++i;
        }
        return out;
    }

private:
    std::optional<std::string> lookup(const std::string& name, std::map<std::string, std::string>& fresh) {
        if (const auto it = values_.find(name); it != values_.end()) return it->second;
        if (name.rfind("new_", 0) != 0) return std::nullopt;
        if (const auto it = fresh.find(name); it != fresh.end()) return it->second;
        std::string id;
        if (name == "new_secret") id = newSecret();
        else if (name == "new_bare_secret") id = newBareSecret();
        else if (name == "new_container") id = newContainer();
        else if (name == "new_order") id = newOrder();
        else if (name == "new_consumed_secret") id = newConsumedSecret();
        else return std::nullopt;
        fresh[name] = id;
        return id;
    }

    std::string created(const std::string& path, const std::string& body, int status, const char* ref) {
        const HttpResponse response = client_.request("POST", path, withJson(who_), body);
        INFO("fixture " << path << ": " << response.status << " " << response.body);
        REQUIRE(response.status == status);
        const std::string id = idOf(json::value_to<std::string>(response.json().at(ref)));
        REQUIRE(isLowerCaseHexOrDash(id));
        return id;
    }

    std::string newSecret() {
        return created("/v1/secrets", R"({"name": "hostile", "payload": "fixture", "payload_content_type": "text/plain"})",
                       201, "secret_ref");
    }
    std::string newBareSecret() { return created("/v1/secrets", R"({"name": "hostile-bare"})", 201, "secret_ref"); }
    std::string newContainer() {
        return created("/v1/containers", R"({"type": "generic", "name": "hostile"})", 201, "container_ref");
    }
    std::string newOrder() {
        return created("/v1/orders", R"({"type": "key", "meta": {"algorithm": "aes", "bit_length": 128}})", 202,
                       "order_ref");
    }
    std::string newConsumedSecret() {
        const std::string id = newSecret();
        const HttpResponse response =
            client_.request("POST", "/v1/secrets/" + id + "/consumers", withJson(who_),
                            R"({"service": "volume", "resource_type": "volume", "resource_id": "r1"})");
        INFO(response.body);
        REQUIRE(response.status == 200);
        return id;
    }

    const HttpClient& client_;
    std::string project_;
    std::string user_ = "hostile-user";
    std::string base_;
    Headers who_;
    std::map<std::string, std::string> values_;
};

bool sameName(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// The request bytes of a case: Host, identity headers (unless turned off),
// the case's headers replacing defaults of the same name, Connection: close
// and a Content-Length.
std::string requestBytes(const Case& item, Fixtures& fixtures, int port) {
    if (item.raw) return fixtures.fill(catalogBytes(*item.raw));
    std::vector<std::pair<std::string, std::string>> headers = {{"Host", "127.0.0.1:" + std::to_string(port)}};
    if (item.identity) {
        headers.emplace_back("X-Project-Id", fixtures.project());
        headers.emplace_back("X-User-Id", fixtures.user());
    }
    for (const auto& [name, value] : item.headers) {
        std::erase_if(headers, [&](const auto& existing) { return sameName(existing.first, name); });
    }
    for (const auto& [name, value] : item.headers) {
        if (value) headers.emplace_back(name, fixtures.fill(catalogBytes(*value)));
    }
    const std::string body = item.body ? fixtures.fill(catalogBytes(*item.body)) : std::string();
    std::string text = item.method + " " + fixtures.fill(catalogBytes(item.path)) + " HTTP/1.1\r\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
    text += "Connection: close\r\n";
    if (item.content_length && (item.body || item.method == "POST" || item.method == "PUT" || item.method == "PATCH"))
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return text + "\r\n" + body;
}

// Problems with a response to `item`; empty when it is as expected.
std::vector<std::string> checkResponse(const Case& item, const HttpResponse& response, double seconds) {
    std::vector<std::string> problems;
    if (response.status == 0) {
        problems.push_back(seconds >= kTimeoutSeconds - 0.5
                               ? "no response within " + std::to_string(kTimeoutSeconds) + " s"
                               : "connection closed or reset without a response");
        return problems;
    }
    if (response.status >= 500 && !expectsExactly(response.status, item.expect))
        problems.push_back("server error " + std::to_string(response.status));
    if (!statusMatches(response.status, item.expect))
        problems.push_back("status " + std::to_string(response.status) + ", expected " + item.expect);
    if (response.status >= 400 && item.method != "HEAD") {
        const json::value body = response.json();
        const json::object* error = body.if_object();
        if (error == nullptr) {
            problems.push_back("error body is not a JSON object");
        } else {
            const json::value* code = error->if_contains("code");
            if (code == nullptr || !code->is_int64() || code->as_int64() != response.status)
                problems.push_back("error body \"code\" is not the status");
            const json::value* title = error->if_contains("title");
            if (title == nullptr || !title->is_string() || title->as_string().empty())
                problems.push_back("error body has no \"title\" string");
            const json::value* description = error->if_contains("description");
            if (description == nullptr || !description->is_string())
                problems.push_back("error body has no \"description\" string");
        }
        if (response.header("content-type").rfind("application/json", 0) != 0)
            problems.push_back("error Content-Type is \"" + response.header("content-type") + "\"");
    }
    return problems;
}

int fcgiMasterPid(const TestStack& stack) {
    std::ifstream in(stack.dir() + "/run/barbican-fcgi.pid");
    int pid = 0;
    in >> pid;
    return pid;
}

std::set<int> workerPids(const TestStack& stack) {
    std::set<int> pids;
    std::stringstream out(runCommand("pgrep -P " + std::to_string(fcgiMasterPid(stack))));
    int pid = 0;
    while (out >> pid) pids.insert(pid);
    return pids;
}

// Sends GET /v1 and a secret round trip 3 times per worker. Every request
// must succeed, which shows that no worker was left in a broken state.
void checkWorkersServe(const HttpClient& client, const Fixtures& fixtures, std::size_t workers) {
    const std::size_t rounds = 3 * std::max<std::size_t>(workers, 1);
    int failures = 0;
    for (std::size_t i = 0; i < rounds; ++i) {
        const HttpResponse version = client.request("GET", "/v1", fixtures.who());
        if (version.status != 200) {
            ++failures;
            FAIL_CHECK("after the group, GET /v1 answered " << version.status << ": " << printable(version.body));
        }
        const std::string payload = "round trip " + std::to_string(i);
        const HttpResponse created = client.request(
            "POST", "/v1/secrets", withJson(fixtures.who()),
            json::serialize(json::object{{"payload", payload}, {"payload_content_type", "text/plain"}}));
        if (created.status != 201) {
            ++failures;
            FAIL_CHECK("after the group, POST /v1/secrets answered " << created.status << ": " << printable(created.body));
            continue;
        }
        const std::string path = pathOf(json::value_to<std::string>(created.json().at("secret_ref"))) + "/payload";
        const HttpResponse read = client.request("GET", path, fixtures.who());
        if (read.status != 200 || read.body != payload) {
            ++failures;
            FAIL_CHECK("after the group, GET " << path << " answered " << read.status << ": " << printable(read.body));
        }
    }
    CHECK(failures == 0);
}

void runGroup(const std::string& group) {
    TestStack& stack = TestStack::get();
    const HttpClient client = stack.client(kTimeoutSeconds);
    const auto known = loadKnownFailures();
    const std::set<int> workers_before = workerPids(stack);
    REQUIRE_FALSE(workers_before.empty());
    Fixtures fixtures(client);

    int ran = 0;
    int failed = 0;
    for (const Case& item : catalog()) {
        if (item.group != group) continue;
        ++ran;
        const std::string bytes = requestBytes(item, fixtures, client.port());
        const auto start = std::chrono::steady_clock::now();
        const HttpResponse response = client.raw(bytes);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::vector<std::string> problems = checkResponse(item, response, seconds);
        const auto note = known.find(item.id);
        if (problems.empty()) {
            if (note != known.end())
                WARN(item.id << " passes but is listed in tests/hostile/known_failures.tsv; remove it there");
            continue;
        }
        ++failed;
        std::string summary;
        for (const auto& problem : problems) summary += (summary.empty() ? "" : "; ") + problem;
        FAIL_CHECK(item.id << ": " << summary << "\n  request: " << printable(bytes) << "\n  response: "
                           << response.status << " " << printable(response.body)
                           << (note != known.end() ? "\n  known failure: " + note->second : std::string()));
    }
    INFO(group << ": " << ran << " cases, " << failed << " failed");
    CHECK(ran > 0);

    checkWorkersServe(client, fixtures, workers_before.size());
    const std::set<int> workers_after = workerPids(stack);
    INFO("fcgi workers before the group and after it differ: a worker exited or was restarted");
    CHECK(workers_after == workers_before);
}

}  // namespace

TEST_CASE("hostile catalog well formed", "[e2e][hostile]") {
    const std::vector<Case>& cases = catalog();
    CHECK(cases.size() >= 300);
    std::set<std::string> ids;
    for (const Case& item : cases) {
        INFO(item.id);
        CHECK(ids.insert(item.id).second);
        CHECK(knownGroups().count(item.group) == 1);
        CHECK_FALSE(item.expect.empty());
        CHECK((item.raw || !item.method.empty()));
    }
    for (const auto& [id, note] : loadKnownFailures()) {
        INFO("known_failures.tsv names an unknown case: " << id);
        CHECK(ids.count(id) == 1);
    }
}

TEST_CASE("hostile json bodies", "[e2e][hostile]") { runGroup("json"); }
TEST_CASE("hostile string fields", "[e2e][hostile]") { runGroup("strings"); }
TEST_CASE("hostile numbers and types", "[e2e][hostile]") { runGroup("numbers"); }
TEST_CASE("hostile headers", "[e2e][hostile]") { runGroup("headers"); }
TEST_CASE("hostile paths and request lines", "[e2e][hostile]") { runGroup("paths"); }
TEST_CASE("hostile query strings", "[e2e][hostile]") { runGroup("query"); }
TEST_CASE("hostile methods", "[e2e][hostile]") { runGroup("methods"); }
TEST_CASE("hostile body sizes", "[e2e][hostile]") { runGroup("sizes"); }
