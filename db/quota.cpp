#include "db/quota.h"

#include "core/error.h"
#include "db/statements.h"

namespace db {
namespace {

const char* columnOf(QuotaResource resource) {
    switch (resource) {
    case QuotaResource::Secrets: return "secrets";
    case QuotaResource::Orders: return "orders";
    case QuotaResource::Containers: return "containers";
    case QuotaResource::Consumers: return "consumers";
    }
    return "secrets";
}

int defaultQuota(const core::Config& config, QuotaResource resource) {
    switch (resource) {
    case QuotaResource::Secrets: return config.quota_secrets;
    case QuotaResource::Orders: return config.quota_orders;
    case QuotaResource::Containers: return config.quota_containers;
    case QuotaResource::Consumers: return config.quota_consumers;
    }
    return -1;
}

// Rows of the project that count against the quota: live rows, and for
// secrets only unexpired ones. Consumers of secrets and of containers count
// together against the one consumers quota.
long long countUsed(soci::session& sql, const std::string& project_id, QuotaResource resource) {
    std::string text;
    SqlParams params = {project_id};
    switch (resource) {
    case QuotaResource::Secrets:
        text = "SELECT count(*)::text FROM secrets WHERE project_id = :p1 AND NOT deleted"
               " AND (expiration IS NULL OR expiration > (now() AT TIME ZONE 'utc'))";
        break;
    case QuotaResource::Orders: text = "SELECT count(*)::text FROM orders WHERE project_id = :p1 AND NOT deleted"; break;
    case QuotaResource::Containers:
        text = "SELECT count(*)::text FROM containers WHERE project_id = :p1 AND NOT deleted";
        break;
    case QuotaResource::Consumers:
        text = "SELECT ((SELECT count(*) FROM secret_consumers WHERE project_id = :p1 AND NOT deleted)"
               " + (SELECT count(*) FROM container_consumers WHERE project_id = :p2 AND NOT deleted))::text";
        params.push_back(project_id);
        break;
    }
    long long used = 0;
    queryOne(sql, text, params, [&](const soci::row& row) { used = std::stoll(row.get<std::string>(0)); });
    return used;
}

}  // namespace

int effectiveQuota(soci::session& sql, const core::Config& config, const std::string& project_id, QuotaResource resource) {
    std::optional<std::string> value;
    queryOne(sql, "SELECT " + std::string(columnOf(resource)) + "::text FROM project_quotas WHERE project_id = :p1",
             {project_id}, [&](const soci::row& row) { value = textColumn(row, 0); });
    if (value) return std::stoi(*value);
    return defaultQuota(config, resource);
}

std::string unlessProjectQuota(QuotaResource resource, const std::string& project_placeholder) {
    return std::string(" WHERE NOT EXISTS (SELECT 1 FROM project_quotas q WHERE q.project_id = ") + project_placeholder +
           " AND q." + columnOf(resource) + " >= 0)";
}

void enforceQuota(soci::session& sql, const core::Config& config, const std::string& project_id, QuotaResource resource,
                  std::string_view operation) {
    const int quota = effectiveQuota(sql, config, project_id, resource);
    if (quota < 0) return;
    queryOne(sql, "SELECT id FROM projects WHERE id = :p1 FOR UPDATE", {project_id}, [](const soci::row&) {});
    if (quota == 0 || countUsed(sql, project_id, resource) >= quota) {
        throw core::Error(core::ErrorKind::Forbidden,
                          std::string(operation) + " issue seen - Creation not allowed because a quota has been reached.");
    }
}

}  // namespace db
