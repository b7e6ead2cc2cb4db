#include "db/statements.h"

#include <memory>
#include <mutex>
#include <unordered_map>

namespace db {
namespace {

// Maximum number of statement texts cached per session. List queries build
// their text from the filters a request uses, so there are many texts. Past
// this bound the cache starts over.
constexpr std::size_t kMaxCachedStatements = 256;

// A statement with its bound buffers: soci binds parameters and the result
// row by reference, so they live as long as the statement.
struct BoundStatement {
    std::vector<std::string> values;
    std::vector<soci::indicator> indicators;
    soci::row row;
    bool returns_rows = false;
    std::unique_ptr<soci::statement> statement;
};

std::unique_ptr<BoundStatement> bind(soci::session& sql, const std::string& text, std::size_t param_count,
                                     bool returns_rows, soci::details::statement_type type) {
    auto bound = std::make_unique<BoundStatement>();
    bound->values.resize(param_count);
    bound->indicators.resize(param_count, soci::i_null);
    bound->returns_rows = returns_rows;
    bound->statement = std::make_unique<soci::statement>(sql);
    for (std::size_t i = 0; i < param_count; ++i)
        bound->statement->exchange(soci::use(bound->values[i], bound->indicators[i]));
    if (returns_rows) bound->statement->exchange(soci::into(bound->row));
    bound->statement->alloc();
    bound->statement->prepare(text, type);
    bound->statement->define_and_bind();
    return bound;
}

// Sets the parameters, executes, and calls `on_row` for the first row or
// for every row. Returns the row count, or the affected rows when the
// statement returns none.
long long runBound(BoundStatement& bound, const SqlParams& params, const std::function<void(const soci::row&)>* on_row,
                   bool first_only) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        bound.values[i] = params[i].value_or(std::string());
        bound.indicators[i] = params[i] ? soci::i_ok : soci::i_null;
    }
    struct ClearValues {
        BoundStatement& bound;
        ~ClearValues() {
            for (std::string& value : bound.values) value.clear();
        }
    } clear_values{bound};

    if (!bound.returns_rows) {
        bound.statement->execute(true);
        return bound.statement->get_affected_rows();
    }
    long long rows = 0;
    for (bool more = bound.statement->execute(true); more; more = bound.statement->fetch()) {
        ++rows;
        (*on_row)(bound.row);
        if (first_only) break;
    }
    return rows;
}

std::string cacheKey(const std::string& text, bool returns_rows) {
    std::string key;
    key.reserve(text.size() + 1);
    key += returns_rows ? 'R' : 'X';
    key += text;
    return key;
}

class StatementCache {
public:
    BoundStatement& get(soci::session& sql, const std::string& key, const std::string& text, std::size_t param_count,
                        bool returns_rows) {
        // Deallocating needs a session outside a failed transaction, which
        // a new call has.
        discarded_.clear();
        if (const auto found = entries_.find(key); found != entries_.end()) return *found->second;
        if (entries_.size() >= kMaxCachedStatements) entries_.clear();
        auto bound = bind(sql, text, param_count, returns_rows, soci::details::st_repeatable_query);
        return *entries_.emplace(key, std::move(bound)).first->second;
    }

    // Drops a statement whose run failed. soci frees the parameter buffers
    // of a run only when the run completes, so reusing the statement would
    // leak them. It is destroyed, and deallocated on the server, at the
    // start of the next call.
    void discard(const std::string& key) {
        const auto found = entries_.find(key);
        if (found == entries_.end()) return;
        discarded_.push_back(std::move(found->second));
        entries_.erase(found);
    }

    std::size_t size() const { return entries_.size(); }

private:
    std::unordered_map<std::string, std::unique_ptr<BoundStatement>> entries_;
    std::vector<std::unique_ptr<BoundStatement>> discarded_;
};

struct Registry {
    std::mutex mutex;
    std::unordered_map<const soci::session*, std::unique_ptr<StatementCache>> caches;
};

Registry& registry() {
    static Registry instance;
    return instance;
}

StatementCache* cacheOf(const soci::session& sql) {
    Registry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mutex);
    const auto found = reg.caches.find(&sql);
    return found == reg.caches.end() ? nullptr : found->second.get();
}

long long run(soci::session& sql, const std::string& text, const SqlParams& params, bool returns_rows,
              const std::function<void(const soci::row&)>* on_row, bool first_only) {
    if (StatementCache* cache = cacheOf(sql)) {
        const std::string key = cacheKey(text, returns_rows);
        BoundStatement& bound = cache->get(sql, key, text, params.size(), returns_rows);
        try {
            return runBound(bound, params, on_row, first_only);
        } catch (...) {
            cache->discard(key);
            throw;
        }
    }
    auto once = bind(sql, text, params.size(), returns_rows, soci::details::st_one_time_query);
    return runBound(*once, params, on_row, first_only);
}

}  // namespace

std::size_t queryRows(soci::session& sql, const std::string& text, const SqlParams& params,
                      const std::function<void(const soci::row&)>& on_row) {
    return static_cast<std::size_t>(run(sql, text, params, true, &on_row, false));
}

bool queryOne(soci::session& sql, const std::string& text, const SqlParams& params,
              const std::function<void(const soci::row&)>& on_row) {
    return run(sql, text, params, true, &on_row, true) > 0;
}

long long executeStatement(soci::session& sql, const std::string& text, const SqlParams& params) {
    return run(sql, text, params, false, nullptr, false);
}

std::optional<std::string> textColumn(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) return std::nullopt;
    return row.get<std::string>(i);
}

std::string ParamList::add(std::optional<std::string> value) {
    values_.push_back(std::move(value));
    return ":p" + std::to_string(values_.size());
}

void attachStatementCache(soci::session& sql) {
    Registry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mutex);
    reg.caches[&sql] = std::make_unique<StatementCache>();
}

void detachStatementCache(soci::session& sql) {
    std::unique_ptr<StatementCache> cache;
    {
        Registry& reg = registry();
        std::lock_guard<std::mutex> lock(reg.mutex);
        const auto found = reg.caches.find(&sql);
        if (found == reg.caches.end()) return;
        cache = std::move(found->second);
        reg.caches.erase(found);
    }
    // Destroying the statements deallocates them on the server while the
    // session still exists; on a broken connection that fails quietly.
    cache.reset();
}

std::size_t cachedStatementCount(soci::session& sql) {
    const StatementCache* cache = cacheOf(sql);
    return cache == nullptr ? 0 : cache->size();
}

}  // namespace db
