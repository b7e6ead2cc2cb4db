// Every length limit the validators enforce must equal the width of the
// database column the value is stored in. A longer limit would turn client
// input into a 500 from PostgreSQL, and a shorter one would reject values the
// schema can store. The widths are read from the running test stack's
// schema. A few limits are also checked end to end, at the limit and one
// past it.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/acl_rules.h"
#include "core/consumer_rules.h"
#include "core/container_rules.h"
#include "core/quota_rules.h"
#include "core/secret_rules.h"
#include "tests/support/api.h"
#include "tests/support/stack.h"

namespace {

using namespace testsupport;
using boost::json::object;

// Width of the API's identity headers (X-Project-Id, X-User-Id) as
// fcgi/dispatch.cpp enforces it, and of transport key plugin names as
// fcgi/transport_key_controller.cpp enforces it. Both constants are private
// to those files, so the end-to-end checks below pin them.
constexpr std::size_t kIdentityHeaderLength = 255;
constexpr std::size_t kPluginNameLength = 255;

TestStack& stack() { return TestStack::get(); }

HttpResponse send(const std::string& method, const std::string& target, const Headers& headers = {},
                  const std::string& body = {}) {
    return stack().client().request(method, target, headers, body);
}

// Returns the declared width of a column: the n of varchar(n), also for
// varchar(n)[] arrays, which information_schema gives no width for. Returns
// "-1" for a column of another type and "missing" for no such column.
std::string columnWidth(const std::string& table, const std::string& column) {
    return stack().sql(
        "SELECT coalesce(substring(format_type(a.atttypid, a.atttypmod) from 'character varying\\((\\d+)\\)'), '-1') "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relname = '" + table + "' AND a.attname = '" + column +
        "' AND NOT a.attisdropped UNION ALL SELECT 'missing' WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = '" + table + "' AND column_name = '" + column + "')");
}

std::string dataType(const std::string& table, const std::string& column) {
    return stack().sql("SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND "
                       "table_name = '" + table + "' AND column_name = '" + column + "'");
}

struct ColumnLimit {
    std::string table;
    std::string column;
    std::size_t limit;
    const char* source;  // name of the constant that contains the limit
};

// Columns filled from validated client input, with the limit the API applies.
std::vector<ColumnLimit> validatedColumns() {
    std::vector<ColumnLimit> columns = {
        {"secrets", "name", core::kMaxFieldLength, "core::kMaxFieldLength"},
        {"secrets", "algorithm", core::kMaxFieldLength, "core::kMaxFieldLength"},
        {"secrets", "mode", core::kMaxFieldLength, "core::kMaxFieldLength"},
        {"secret_user_metadata", "key", core::kMaxMetadataKeyLength, "core::kMaxMetadataKeyLength"},
        {"secret_user_metadata", "value", core::kMaxMetadataValueLength, "core::kMaxMetadataValueLength"},
        {"secret_acls", "users", core::kMaxAclUserLength, "core::kMaxAclUserLength"},
        {"container_acls", "users", core::kMaxAclUserLength, "core::kMaxAclUserLength"},
        {"secret_consumers", "service", core::kMaxConsumerServiceLength, "core::kMaxConsumerServiceLength"},
        {"secret_consumers", "resource_type", core::kMaxConsumerResourceTypeLength,
         "core::kMaxConsumerResourceTypeLength"},
        {"secret_consumers", "resource_id", core::kMaxConsumerResourceIdLength, "core::kMaxConsumerResourceIdLength"},
        {"container_consumers", "name", core::kMaxConsumerNameLength, "core::kMaxConsumerNameLength"},
        {"container_consumers", "url", core::kMaxConsumerUrlLength, "core::kMaxConsumerUrlLength"},
        {"containers", "name", core::kMaxContainerNameLength, "core::kMaxContainerNameLength"},
        {"container_secrets", "name", core::kMaxContainerNameLength, "core::kMaxContainerNameLength"},
        {"transport_keys", "plugin_name", kPluginNameLength, "kPluginNameLength (transport_key_controller.cpp)"},
        {"secrets", "creator_id", kIdentityHeaderLength, "kIdentityHeaderLength (dispatch.cpp)"},
        {"containers", "creator_id", kIdentityHeaderLength, "kIdentityHeaderLength (dispatch.cpp)"},
        {"orders", "creator_id", kIdentityHeaderLength, "kIdentityHeaderLength (dispatch.cpp)"},
    };
    columns.push_back({"projects", "id", core::kMaxProjectIdLength, "core::kMaxProjectIdLength"});
    for (const char* table : {"project_keys", "secrets", "containers", "orders", "secret_consumers",
                              "container_consumers", "project_quotas"}) {
        columns.push_back({table, "project_id", core::kMaxProjectIdLength, "core::kMaxProjectIdLength"});
    }
    return columns;
}

template <typename Values>
std::size_t longest(const Values& values) {
    std::size_t max = 0;
    for (const auto& value : values) max = std::max(max, std::string_view(value).size());
    return max;
}

// Longest file name in db/migrations, an upper bound of the names the
// migrator stores in schema_migrations.name.
std::size_t longestMigrationName() {
    std::size_t max = 0;
    for (const auto& entry : std::filesystem::directory_iterator(repositoryRoot() + "/db/migrations"))
        max = std::max(max, entry.path().filename().string().size());
    return max;
}

// Columns that hold one of a fixed set of values, or that only the server
// writes, with the longest value stored there.
// NOTE: error_reason and sub_status_message come from the job runner, which
// must cut its messages to these widths itself; nothing here checks that.
const std::map<std::pair<std::string, std::string>, std::size_t>& serverColumns() {
    static const std::map<std::pair<std::string, std::string>, std::size_t> columns = {
        {{"project_keys", "master_key_id"}, 16},     {{"secrets", "status"}, 6},
        {{"containers", "status"}, 6},               {{"orders", "status"}, 7},
        {{"orders", "sub_status"}, 7},               {{"orders", "sub_status_message"}, 255},
        {{"orders", "error_status_code"}, 3},        {{"orders", "error_reason"}, 255},
        {{"orders", "lease_owner"}, 255},            {{"transport_keys", "status"}, 6},
        {{"secrets", "secret_type"}, longest(core::kSecretTypes)},
        {{"secrets", "content_type"}, std::string_view("application/octet-stream").size()},
        // Asymmetric orders also create containers of type "dsa".
        {{"containers", "type"}, longest(core::kContainerTypes)},
        {{"orders", "type"}, std::string_view("asymmetric").size()},
        {{"schema_migrations", "name"}, longestMigrationName()},
    };
    return columns;
}

std::vector<std::pair<std::string, std::string>> allVarcharColumns() {
    std::vector<std::pair<std::string, std::string>> columns;
    std::stringstream out(stack().sql(
        "SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' "
        "AND a.attnum > 0 AND NOT a.attisdropped AND format_type(a.atttypid, a.atttypmod) LIKE 'character varying%' "
        "ORDER BY 1"));
    std::string line;
    while (std::getline(out, line)) {
        const auto dot = line.find('.');
        if (dot != std::string::npos) columns.emplace_back(line.substr(0, dot), line.substr(dot + 1));
    }
    return columns;
}

std::string repeated(const std::string& piece, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) out += piece;
    return out;
}

std::string quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

long long number(const std::string& statement) {
    const std::string out = stack().sql(statement);
    INFO(statement << " -> " << out);
    return std::stoll(out);
}

std::string refId(const HttpResponse& response, const char* field) {
    INFO(response.status << " " << response.body);
    REQUIRE(response.json().is_object());
    return idOf(std::string(response.json().at(field).as_string()));
}

}  // namespace

TEST_CASE("schema widths equal validator limits", "[e2e][limits]") {
    for (const ColumnLimit& column : validatedColumns()) {
        INFO(column.table << "." << column.column << " against " << column.source << " = " << column.limit);
        CHECK(columnWidth(column.table, column.column) == std::to_string(column.limit));
    }
    for (const auto& [name, longest] : serverColumns()) {
        const std::string width = columnWidth(name.first, name.second);
        INFO(name.first << "." << name.second << " is " << width << " wide; the server stores up to " << longest);
        REQUIRE(width != "missing");
        CHECK(std::stoll(width) >= static_cast<long long>(longest));
    }
}

TEST_CASE("schema every varchar column has a limit", "[e2e][limits]") {
    std::set<std::pair<std::string, std::string>> known;
    for (const ColumnLimit& column : validatedColumns()) known.emplace(column.table, column.column);
    for (const auto& [name, longest] : serverColumns()) known.insert(name);
    const auto columns = allVarcharColumns();
    REQUIRE(columns.size() > 20);
    for (const auto& column : columns) {
        INFO(column.first << "." << column.second
                          << " is a varchar column without a validator limit in schema_limits_test.cpp: add it to "
                             "validatedColumns() with the constant that limits it, or to serverColumns()");
        CHECK(known.count(column) == 1);
    }
}

TEST_CASE("schema integer columns hold their ranges", "[e2e][limits]") {
    // bit_length is at most 32767 and quota values fit 32 bits.
    CHECK(core::kMaxBitLength <= 2147483647);
    CHECK(dataType("secrets", "bit_length") == "integer");
    for (const char* column : {"secrets", "orders", "containers", "consumers", "cas"}) {
        INFO("project_quotas." << column);
        CHECK(dataType("project_quotas", column) == "integer");
    }
}

TEST_CASE("schema limits secret fields end to end", "[e2e][limits]") {
    const Headers who = identity(newProjectId());
    for (const char* field : {"name", "algorithm", "mode"}) {
        INFO(field);
        // Characters count, not bytes: 255 two-byte characters fit.
        const std::string at_limit = repeated("\xc3\xa9", core::kMaxFieldLength);
        const HttpResponse created =
            send("POST", "/v1/secrets", withJson(who), boost::json::serialize(object{{field, at_limit}}));
        REQUIRE(created.status == 201);
        const std::string id = refId(created, "secret_ref");
        CHECK(number("SELECT char_length(" + std::string(field) + ") FROM secrets WHERE id = '" + id + "'") ==
              static_cast<long long>(core::kMaxFieldLength));

        const HttpResponse over = send("POST", "/v1/secrets", withJson(who),
                                       boost::json::serialize(object{{field, at_limit + "a"}}));
        CHECK(over.status == 400);
    }
}

TEST_CASE("schema limits metadata end to end", "[e2e][limits]") {
    const Headers who = identity(newProjectId());
    const std::string secret = idOf(createTextSecret(stack().client(), who, "payload"));
    const std::string path = "/v1/secrets/" + secret + "/metadata";
    const std::string key = repeated("k", core::kMaxMetadataKeyLength);
    const std::string value = repeated("\xc3\xa9", core::kMaxMetadataValueLength);

    const HttpResponse at_limit =
        send("POST", path, withJson(who), boost::json::serialize(object{{"key", key}, {"value", value}}));
    INFO(at_limit.body);
    CHECK(at_limit.status == 201);
    CHECK(number("SELECT count(*) FROM secret_user_metadata WHERE secret_id = '" + secret + "' AND char_length(key) = " +
                 std::to_string(core::kMaxMetadataKeyLength) + " AND char_length(value) = " +
                 std::to_string(core::kMaxMetadataValueLength)) == 1);

    CHECK(send("POST", path, withJson(who), boost::json::serialize(object{{"key", key + "k"}, {"value", "v"}})).status ==
          400);
    CHECK(send("POST", path, withJson(who), boost::json::serialize(object{{"key", "k2"}, {"value", value + "v"}})).status ==
          400);
    CHECK(send("PUT", path, withJson(who),
               boost::json::serialize(object{{"metadata", object{{key + "k", "v"}}}})).status == 400);
    CHECK(send("PUT", path, withJson(who),
               boost::json::serialize(object{{"metadata", object{{"k3", value + "v"}}}})).status == 400);
}

TEST_CASE("schema limits consumers end to end", "[e2e][limits]") {
    const Headers who = identity(newProjectId());
    const std::string secret = idOf(createTextSecret(stack().client(), who, "payload"));
    const HttpResponse container = send("POST", "/v1/containers", withJson(who), R"({"type": "generic"})");
    REQUIRE(container.status == 201);
    const std::string container_id = refId(container, "container_ref");

    const std::string container_path = "/v1/containers/" + container_id + "/consumers";
    const std::string name = repeated("n", core::kMaxConsumerNameLength);
    const std::string url = repeated("u", core::kMaxConsumerUrlLength);
    CHECK(send("POST", container_path, withJson(who), boost::json::serialize(object{{"name", name}, {"URL", url}})).status ==
          200);
    CHECK(number("SELECT count(*) FROM container_consumers WHERE container_id = '" + container_id +
                 "' AND name = " + quoted(name) + " AND url = " + quoted(url)) == 1);
    CHECK(send("POST", container_path, withJson(who),
               boost::json::serialize(object{{"name", name + "n"}, {"URL", "http://x"}})).status == 400);
    CHECK(send("POST", container_path, withJson(who),
               boost::json::serialize(object{{"name", "n"}, {"URL", url + "u"}})).status == 400);

    const std::string secret_path = "/v1/secrets/" + secret + "/consumers";
    const std::string service = repeated("s", core::kMaxConsumerServiceLength);
    const std::string type = repeated("t", core::kMaxConsumerResourceTypeLength);
    const std::string resource = repeated("r", core::kMaxConsumerResourceIdLength);
    CHECK(send("POST", secret_path, withJson(who),
               boost::json::serialize(object{{"service", service}, {"resource_type", type}, {"resource_id", resource}}))
              .status == 200);
    CHECK(number("SELECT count(*) FROM secret_consumers WHERE secret_id = '" + secret + "' AND service = " +
                 quoted(service) + " AND resource_type = " + quoted(type) + " AND resource_id = " + quoted(resource)) ==
          1);
    CHECK(send("POST", secret_path, withJson(who),
               boost::json::serialize(object{{"service", service + "s"}, {"resource_type", "t"}, {"resource_id", "r"}}))
              .status == 400);
    CHECK(send("POST", secret_path, withJson(who),
               boost::json::serialize(object{{"service", "s"}, {"resource_type", type + "t"}, {"resource_id", "r"}}))
              .status == 400);
    CHECK(send("POST", secret_path, withJson(who),
               boost::json::serialize(object{{"service", "s"}, {"resource_type", "t"}, {"resource_id", resource + "r"}}))
              .status == 400);
}

TEST_CASE("schema limits acl users and containers end to end", "[e2e][limits]") {
    const Headers who = identity(newProjectId());
    const std::string secret = idOf(createTextSecret(stack().client(), who, "payload"));
    const std::string user = repeated("\xc3\xbc", core::kMaxAclUserLength);
    const std::string acl_path = "/v1/secrets/" + secret + "/acl";
    const auto aclBody = [](const std::string& name) {
        return boost::json::serialize(object{{"read", object{{"users", boost::json::array{boost::json::string(name)}}}}});
    };
    CHECK(send("PUT", acl_path, withJson(who), aclBody(user)).status == 200);
    CHECK(number("SELECT char_length(users[1]) FROM secret_acls WHERE secret_id = '" + secret + "'") ==
          static_cast<long long>(core::kMaxAclUserLength));
    CHECK(send("PUT", acl_path, withJson(who), aclBody(user + "u")).status == 400);

    const std::string name = repeated("c", core::kMaxContainerNameLength);
    const std::string secret_ref = stack().baseUrl() + "/v1/secrets/" + secret;
    const HttpResponse at_limit = send(
        "POST", "/v1/containers", withJson(who),
        boost::json::serialize(object{{"type", "generic"}, {"name", name},
                                      {"secret_refs", boost::json::array{object{{"name", name}, {"secret_ref", secret_ref}}}}}));
    CHECK(at_limit.status == 201);
    CHECK(send("POST", "/v1/containers", withJson(who),
               boost::json::serialize(object{{"type", "generic"}, {"name", name + "c"}})).status == 400);
    CHECK(send("POST", "/v1/containers", withJson(who),
               boost::json::serialize(object{
                   {"type", "generic"},
                   {"secret_refs", boost::json::array{object{{"name", name + "c"}, {"secret_ref", secret_ref}}}}}))
              .status == 400);
}

TEST_CASE("schema limits identity headers end to end", "[e2e][limits]") {
    const std::string project = "p" + repeated("x", kIdentityHeaderLength - 1);
    const std::string user = repeated("u", kIdentityHeaderLength);
    const HttpResponse created = send("POST", "/v1/secrets", withJson(identity(project, "", user)), R"({"name": "n"})");
    INFO(created.body);
    REQUIRE(created.status == 201);
    const std::string id = refId(created, "secret_ref");
    CHECK(number("SELECT count(*) FROM secrets WHERE id = '" + id + "' AND project_id = " + quoted(project) +
                 " AND creator_id = " + quoted(user)) == 1);

    CHECK(send("POST", "/v1/secrets", withJson(identity(project + "x", "", "u")), R"({"name": "n"})").status == 400);
    CHECK(send("POST", "/v1/secrets", withJson(identity(newProjectId(), "", user + "u")), R"({"name": "n"})").status ==
          400);

    const Headers admin = identity(newProjectId(), "key-manager:service-admin");
    CHECK(send("PUT", "/v1/project-quotas/" + project, withJson(admin), R"({"project_quotas": {"secrets": 5}})").status ==
          204);
    CHECK(send("PUT", "/v1/project-quotas/" + project + "x", withJson(admin), R"({"project_quotas": {"secrets": 5}})")
              .status == 400);
}

TEST_CASE("schema limits transport key plugin end to end", "[e2e][limits]") {
    const Headers admin = identity(newProjectId(), "key-manager:service-admin");
    const std::string plugin = repeated("p", kPluginNameLength);
    const auto body = [](const std::string& name) {
        return boost::json::serialize(object{{"plugin_name", name}, {"transport_key", "-----BEGIN PUBLIC KEY-----"}});
    };
    const HttpResponse created = send("POST", "/v1/transport_keys", withJson(admin), body(plugin));
    INFO(created.body);
    REQUIRE(created.status == 201);
    const std::string id = refId(created, "transport_key_ref");
    CHECK(number("SELECT char_length(plugin_name) FROM transport_keys WHERE id = '" + id + "'") ==
          static_cast<long long>(kPluginNameLength));
    CHECK(send("POST", "/v1/transport_keys", withJson(admin), body(plugin + "p")).status == 400);
}
