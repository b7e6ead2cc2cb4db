#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jobs {

struct QueueSettings {
    std::string socket;  // unix socket; empty: host and port
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string list = "barbican:orders";
    int timeout_ms = 1000;
};

// The Redis side of the order queue: a list of order ids, and one
// processing list per job-runner for ids taken but not finished. Redis only
// carries wake-up calls; PostgreSQL holds the orders. This is the only user
// of hiredis in the project. Not thread-safe; every failure drops the
// connection (a hiredis context is unusable after an error), and the next
// call reconnects.
class Queue {
public:
    explicit Queue(QueueSettings settings);
    ~Queue();
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;

    // LPUSH of an order id. Returns false (and logs) when Redis is
    // unreachable; the caller carries on because the job-runner's sweep
    // finds the order in the database later.
    bool push(const std::string& order_id);

    // BLMOVE from the pending list to `processing_list`, waiting up to
    // `wait`. Returns the id, or nothing on timeout. Throws core::Error
    // Unavailable when Redis cannot be reached.
    std::optional<std::string> take(const std::string& processing_list, std::chrono::seconds wait);

    // LREM of one id from a processing list once its task is done.
    void finish(const std::string& processing_list, const std::string& order_id);

    // Moves everything left in `processing_list` back to the pending list;
    // returns how many ids were moved.
    int requeueProcessing(const std::string& processing_list);

    bool ping();

    const std::string& listName() const { return settings_.list; }
    std::string processingListFor(const std::string& runner_id) const { return settings_.list + ":processing:" + runner_id; }

private:
    struct ContextDeleter {
        void operator()(redisContext* c) const { redisFree(c); }
    };
    struct ReplyDeleter {
        void operator()(redisReply* r) const { freeReplyObject(r); }
    };
    using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

    redisContext* connection(int extra_timeout_ms);
    ReplyPtr command(const std::vector<std::string>& args, int extra_timeout_ms = 0);
    void dropConnection(const char* reason);

    QueueSettings settings_;
    std::unique_ptr<redisContext, ContextDeleter> context_;
    int context_timeout_ms_ = 0;
    std::chrono::steady_clock::time_point last_failure_log_{};
};

}  // namespace jobs
