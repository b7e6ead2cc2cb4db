#include "db/quota.h"

#include "core/error.h"

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
    long long used = 0;
    switch (resource) {
    case QuotaResource::Secrets:
        sql << "SELECT count(*) FROM secrets WHERE project_id = :p AND NOT deleted"
               " AND (expiration IS NULL OR expiration > (now() AT TIME ZONE 'utc'))",
            soci::use(project_id), soci::into(used);
        break;
    case QuotaResource::Orders:
        sql << "SELECT count(*) FROM orders WHERE project_id = :p AND NOT deleted", soci::use(project_id), soci::into(used);
        break;
    case QuotaResource::Containers:
        sql << "SELECT count(*) FROM containers WHERE project_id = :p AND NOT deleted", soci::use(project_id),
            soci::into(used);
        break;
    case QuotaResource::Consumers:
        sql << "SELECT (SELECT count(*) FROM secret_consumers WHERE project_id = :p AND NOT deleted)"
               " + (SELECT count(*) FROM container_consumers WHERE project_id = :p2 AND NOT deleted)",
            soci::use(project_id), soci::use(project_id), soci::into(used);
        break;
    }
    return used;
}

}  // namespace

int effectiveQuota(soci::session& sql, const core::Config& config, const std::string& project_id, QuotaResource resource) {
    int value = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT " + std::string(columnOf(resource)) + " FROM project_quotas WHERE project_id = :p",
        soci::use(project_id), soci::into(value, ind);
    if (sql.got_data() && ind == soci::i_ok) return value;
    return defaultQuota(config, resource);
}

void enforceQuota(soci::session& sql, const core::Config& config, const std::string& project_id, QuotaResource resource,
                  std::string_view operation) {
    const int quota = effectiveQuota(sql, config, project_id, resource);
    if (quota < 0) return;
    std::string locked;
    sql << "SELECT id FROM projects WHERE id = :p FOR UPDATE", soci::use(project_id), soci::into(locked);
    if (quota == 0 || countUsed(sql, project_id, resource) >= quota) {
        throw core::Error(core::ErrorKind::Forbidden,
                          std::string(operation) + " issue seen - Creation not allowed because a quota has been reached.");
    }
}

}  // namespace db
