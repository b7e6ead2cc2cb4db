#include "db/acl_repository.h"

#include <boost/json.hpp>

#include "core/error.h"
#include "db/sql_time.h"

namespace db {
namespace {

struct AclTables {
    const char* resource;  // secrets or containers
    const char* acl;       // its ACL table
    const char* key;       // the ACL table's column that references the resource
    const char* live;      // condition on the resource row "r" for a live resource
};

AclTables tablesOf(AclResource resource) {
    if (resource == AclResource::Secret) {
        return {"secrets", "secret_acls", "secret_id",
                "NOT r.deleted AND (r.expiration IS NULL OR r.expiration > (now() AT TIME ZONE 'utc'))"};
    }
    return {"containers", "container_acls", "container_id", "NOT r.deleted"};
}

std::vector<std::string> usersFromJson(const std::string& text) {
    std::vector<std::string> users;
    const boost::json::value parsed = boost::json::parse(text);
    if (!parsed.is_array()) throw core::Error(core::ErrorKind::Internal, "ACL users column is not an array");
    for (const boost::json::value& user : parsed.get_array()) users.emplace_back(user.as_string());
    return users;
}

std::string usersToJson(const std::vector<std::string>& users) {
    boost::json::array array;
    for (const std::string& user : users) array.emplace_back(user);
    return boost::json::serialize(array);
}

}  // namespace

std::optional<AclSubject> findAclSubject(soci::session& sql, AclResource resource, const std::string& id) {
    const AclTables t = tablesOf(resource);
    const std::string query = std::string("SELECT r.project_id, r.creator_id, CAST(a.project_access AS integer), ") +
                              "CAST(to_json(a.users) AS text), " + sqlTimestamp("a.created_at") + ", " +
                              sqlTimestamp("a.updated_at") + " FROM " + t.resource + " r LEFT JOIN " + t.acl +
                              " a ON a." + t.key + " = r.id WHERE r.id = CAST(:id AS uuid) AND " + t.live;

    std::string project_id, creator_id, users, created, updated;
    int project_access = 1;
    soci::indicator creator_ind = soci::i_null, access_ind = soci::i_null, users_ind = soci::i_null,
                    created_ind = soci::i_null, updated_ind = soci::i_null;
    sql << query, soci::use(id), soci::into(project_id), soci::into(creator_id, creator_ind),
        soci::into(project_access, access_ind), soci::into(users, users_ind), soci::into(created, created_ind),
        soci::into(updated, updated_ind);
    if (!sql.got_data()) return std::nullopt;

    AclSubject subject;
    subject.project_id = project_id;
    if (creator_ind == soci::i_ok) subject.creator_id = creator_id;
    if (access_ind == soci::i_ok) {
        StoredAcl acl;
        acl.project_access = project_access != 0;
        if (users_ind == soci::i_ok) acl.users = usersFromJson(users);
        acl.created = apiTimestamp(created);
        acl.updated = apiTimestamp(updated);
        subject.acl = std::move(acl);
    }
    return subject;
}

void upsertAcl(soci::session& sql, AclResource resource, const std::string& id, std::optional<bool> project_access,
               const std::optional<std::vector<std::string>>& users, core::Timestamp now) {
    const AclTables t = tablesOf(resource);
    const std::string acl = t.acl;
    // The parameters enter once, through "input", because the update branch
    // needs to know which values were given. Users travel as a JSON array and
    // keep their order.
    const std::string query =
        "WITH input AS (SELECT CAST(:id AS uuid) AS id, CAST(:access AS boolean) AS access,"
        " CAST(:users AS json) AS users, CAST(:now AS timestamp) AS now),"
        " acl AS (INSERT INTO " + acl + " (" + t.key + ", project_access, users, created_at, updated_at)"
        " SELECT input.id, COALESCE(input.access, true),"
        " ARRAY(SELECT e.value FROM json_array_elements_text(input.users) WITH ORDINALITY AS e(value, n)"
        " ORDER BY e.n), input.now, input.now FROM input"
        " ON CONFLICT (" + t.key + ") DO UPDATE SET"
        " project_access = COALESCE((SELECT access FROM input), " + acl + ".project_access),"
        " users = CASE WHEN (SELECT users FROM input) IS NULL THEN " + acl + ".users ELSE EXCLUDED.users END,"
        " updated_at = EXCLUDED.updated_at"
        " RETURNING " + t.key + " AS id)"
        " UPDATE " + t.resource + " SET updated_at = (SELECT now FROM input) FROM acl WHERE " + t.resource +
        ".id = acl.id";

    const int access_value = project_access.value_or(true) ? 1 : 0;
    soci::indicator access_ind = project_access ? soci::i_ok : soci::i_null;
    const std::string users_json = users ? usersToJson(*users) : std::string();
    soci::indicator users_ind = users ? soci::i_ok : soci::i_null;
    const std::string now_text = core::formatSqlTimestamp(now);
    sql << query, soci::use(id), soci::use(access_value, access_ind), soci::use(users_json, users_ind),
        soci::use(now_text);
}

void deleteAcl(soci::session& sql, AclResource resource, const std::string& id) {
    const AclTables t = tablesOf(resource);
    sql << std::string("DELETE FROM ") + t.acl + " WHERE " + t.key + " = CAST(:id AS uuid)", soci::use(id);
}

}  // namespace db
