#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/quota_rules.h"
#include "core/timestamp.h"

namespace db {

// One row of project_quotas: the values a service admin configured for a
// project (std::nullopt where none was set).
struct ProjectQuotaRecord {
    std::string project_id;
    core::QuotaValues values;
};

struct ProjectQuotaPage {
    std::vector<ProjectQuotaRecord> records;
    std::int64_t total = 0;
};

// The configured values of a project, or std::nullopt when it has no record.
std::optional<core::QuotaValues> findProjectQuotas(soci::session& sql, const std::string& project_id);

// Records in creation order (project id breaks ties), `limit` of them from
// `offset`, with the number of all records.
ProjectQuotaPage listProjectQuotas(soci::session& sql, std::int64_t offset, std::int64_t limit);

// Creates the project's record from the given values (the others null), or
// changes only the given values of an existing record, in one statement.
void upsertProjectQuotas(soci::session& sql, const std::string& project_id, const core::QuotaValues& given,
                         core::Timestamp now);

// Removes the project's record; returns false when it had none.
bool deleteProjectQuotas(soci::session& sql, const std::string& project_id);

}  // namespace db
