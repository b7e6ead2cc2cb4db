#include "db/project_quota_repository.h"

namespace db {
namespace {

// "secrets, orders, containers, consumers, cas", prefixed when asked.
std::string quotaColumns(const std::string& prefix = {}) {
    std::string columns;
    for (const std::string_view kind : core::kQuotaKinds) {
        if (!columns.empty()) columns += ", ";
        columns += prefix;
        columns += kind;
    }
    return columns;
}

// Reads the quota columns that start at `first` in a row.
core::QuotaValues valuesOf(const soci::row& row, std::size_t first) {
    core::QuotaValues values;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (row.get_indicator(first + i) == soci::i_ok) values[i] = row.get<int>(first + i);
    }
    return values;
}

}  // namespace

std::optional<core::QuotaValues> findProjectQuotas(soci::session& sql, const std::string& project_id) {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " + quotaColumns() + " FROM project_quotas WHERE project_id = :p", soci::use(project_id));
    for (const soci::row& row : rows) return valuesOf(row, 0);
    return std::nullopt;
}

ProjectQuotaPage listProjectQuotas(soci::session& sql, std::int64_t offset, std::int64_t limit) {
    ProjectQuotaPage page;
    long long offset_value = offset, limit_value = limit;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT project_id, count(*) OVER (), " + quotaColumns() +
                            " FROM project_quotas ORDER BY created_at, project_id OFFSET :o LIMIT :l",
         soci::use(offset_value), soci::use(limit_value));
    for (const soci::row& row : rows) {
        page.total = row.get<long long>(1);
        page.records.push_back({row.get<std::string>(0), valuesOf(row, 2)});
    }
    if (page.records.empty()) {
        // Past the last record the window count is not available.
        long long total = 0;
        sql << "SELECT count(*) FROM project_quotas", soci::into(total);
        page.total = total;
    }
    return page;
}

void upsertProjectQuotas(soci::session& sql, const std::string& project_id, const core::QuotaValues& given,
                         core::Timestamp now) {
    std::string placeholders, updates;
    for (const std::string_view kind : core::kQuotaKinds) {
        const std::string name(kind);
        placeholders += ", CAST(:" + name + " AS integer)";
        updates += ", " + name + " = COALESCE(EXCLUDED." + name + ", project_quotas." + name + ")";
    }
    const std::string query = "INSERT INTO project_quotas (project_id, " + quotaColumns() +
                              ", created_at, updated_at) VALUES (:p" + placeholders +
                              ", CAST(:now AS timestamp), CAST(:now2 AS timestamp))"
                              " ON CONFLICT (project_id) DO UPDATE SET updated_at = EXCLUDED.updated_at" + updates;

    static_assert(core::kQuotaKinds.size() == 5, "one use() per quota kind below");
    std::array<int, core::kQuotaKinds.size()> values{};
    std::array<soci::indicator, core::kQuotaKinds.size()> indicators{};
    for (std::size_t i = 0; i < given.size(); ++i) {
        values[i] = given[i].value_or(0);
        indicators[i] = given[i] ? soci::i_ok : soci::i_null;
    }
    const std::string now_text = core::formatSqlTimestamp(now);
    sql << query, soci::use(project_id), soci::use(values[0], indicators[0]), soci::use(values[1], indicators[1]),
        soci::use(values[2], indicators[2]), soci::use(values[3], indicators[3]), soci::use(values[4], indicators[4]),
        soci::use(now_text), soci::use(now_text);
}

bool deleteProjectQuotas(soci::session& sql, const std::string& project_id) {
    soci::statement statement = (sql.prepare << "DELETE FROM project_quotas WHERE project_id = :p", soci::use(project_id));
    statement.execute(true);
    return statement.get_affected_rows() > 0;
}

}  // namespace db
