#pragma once

#include <soci/soci.h>

#include <string>
#include <string_view>

#include "core/config.h"

namespace db {

enum class QuotaResource { Secrets, Orders, Containers, Consumers };

// Effective quota of `project_id` for `resource`: the project's own value
// when set, else the configured default. Negative means unlimited.
int effectiveQuota(soci::session& sql, const core::Config& config, const std::string& project_id, QuotaResource resource);

// Returns a WHERE clause that is true unless the project has its own quota for
// `resource` (a project_quotas row with a value >= 0); `project_placeholder`
// binds the project id. Lets an INSERT ... SELECT skip the locked quota check
// when no default quota is configured.
std::string unlessProjectQuota(QuotaResource resource, const std::string& project_placeholder);

// Refuses a create that would exceed the quota. Call it inside the create's
// transaction, before the insert: it locks the project row (FOR UPDATE), so
// concurrent creates of one project count one after another and never both
// pass at the limit. The project row must exist (ProjectKeyStore::keyFor
// creates it). Throws core::Error Forbidden with
// "<operation> issue seen - Creation not allowed because a quota has been reached."
void enforceQuota(soci::session& sql, const core::Config& config, const std::string& project_id, QuotaResource resource,
                  std::string_view operation);

}  // namespace db
