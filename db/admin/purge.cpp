#include "db/admin/purge.h"

#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "core/query.h"

namespace db::admin {
namespace {

std::int64_t purgeTable(soci::session& sql, const std::string& table, int older_than_days) {
    long long count = 0;
    sql << "WITH gone AS (DELETE FROM " + table +
               " WHERE deleted AND deleted_at < (now() AT TIME ZONE 'utc') - make_interval(days => :d) RETURNING 1)"
               " SELECT count(*) FROM gone",
        soci::use(older_than_days), soci::into(count);
    return count;
}

}  // namespace

PurgeCounts purgeSoftDeleted(Database& database, int older_than_days) {
    PurgeCounts counts;
    database.run([&](soci::session& sql) {
        // Consumers first, so that those of a purged secret or container are
        // counted as consumers instead of vanishing through the cascade.
        counts.secret_consumers = purgeTable(sql, "secret_consumers", older_than_days);
        counts.container_consumers = purgeTable(sql, "container_consumers", older_than_days);
        counts.secrets = purgeTable(sql, "secrets", older_than_days);
        counts.containers = purgeTable(sql, "containers", older_than_days);
        counts.orders = purgeTable(sql, "orders", older_than_days);
        counts.transport_keys = purgeTable(sql, "transport_keys", older_than_days);
    });
    return counts;
}

int purge(const core::Config& config, const std::string& days_text) {
    const std::optional<std::int64_t> days = core::parsePythonInt(days_text);
    if (!days || *days < 0 || *days > 1000000)
        throw std::runtime_error("invalid --older-than-days '" + days_text +
                                 "': expected a whole number of days from 0 to 1000000");
    Database database(DatabaseSettings{config.databaseConnectString(), config.redactedDsn(),
                                       std::max(config.statement_timeout_seconds, 600)});
    const PurgeCounts counts = purgeSoftDeleted(database, static_cast<int>(*days));
    std::cout << "purged rows soft-deleted more than " << *days << " day(s) ago:\n"
              << "  secrets " << counts.secrets << "\n"
              << "  secret_consumers " << counts.secret_consumers << "\n"
              << "  containers " << counts.containers << "\n"
              << "  container_consumers " << counts.container_consumers << "\n"
              << "  orders " << counts.orders << "\n"
              << "  transport_keys " << counts.transport_keys << "\n";
    return 0;
}

}  // namespace db::admin
