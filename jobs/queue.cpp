#include "jobs/queue.h"

#include <sys/time.h>

#include "core/error.h"
#include "core/log.h"

namespace jobs {
namespace {

timeval toTimeval(int ms) {
    timeval tv{};
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return tv;
}

}  // namespace

Queue::Queue(QueueSettings settings) : settings_(std::move(settings)) {}

Queue::~Queue() = default;

void Queue::dropConnection(const char* reason) {
    const auto now = std::chrono::steady_clock::now();
    // At most one line per second while Redis is down.
    if (now - last_failure_log_ > std::chrono::seconds(1)) {
        last_failure_log_ = now;
        core::log::warning("redis_unavailable").kv("error", reason);
    }
    context_.reset();
}

redisContext* Queue::connection(int extra_timeout_ms) {
    const int wanted_timeout = settings_.timeout_ms + extra_timeout_ms;
    if (!context_) {
        const timeval tv = toTimeval(settings_.timeout_ms);
        redisContext* c = settings_.socket.empty()
                              ? redisConnectWithTimeout(settings_.host.c_str(), settings_.port, tv)
                              : redisConnectUnixWithTimeout(settings_.socket.c_str(), tv);
        if (c == nullptr) {
            dropConnection("out of memory");
            return nullptr;
        }
        context_.reset(c);
        if (c->err) {
            dropConnection(c->errstr);
            return nullptr;
        }
        context_timeout_ms_ = 0;
        if (settings_.socket.empty()) redisEnableKeepAlive(c);
    }
    if (context_timeout_ms_ != wanted_timeout) {
        if (redisSetTimeout(context_.get(), toTimeval(wanted_timeout)) != REDIS_OK) {
            dropConnection("cannot set the socket timeout");
            return nullptr;
        }
        context_timeout_ms_ = wanted_timeout;
    }
    return context_.get();
}

Queue::ReplyPtr Queue::command(const std::vector<std::string>& args, int extra_timeout_ms) {
    redisContext* c = connection(extra_timeout_ms);
    if (c == nullptr) return nullptr;
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lengths.data()));
    ReplyPtr reply(raw);
    if (!reply) {
        dropConnection(c->errstr[0] ? c->errstr : "no reply");
        return nullptr;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        core::log::error("redis_command_failed").kv("command", args.front()).kv("error", std::string(reply->str, reply->len));
        return nullptr;
    }
    return reply;
}

bool Queue::push(const std::string& order_id) {
    const bool had_connection = context_ != nullptr;
    if (command({"LPUSH", settings_.list, order_id})) return true;
    // A connection opened before a Redis restart fails on first use; one
    // retry on a fresh connection covers that case.
    if (had_connection && context_ == nullptr) return command({"LPUSH", settings_.list, order_id}) != nullptr;
    return false;
}

std::optional<std::string> Queue::take(const std::string& processing_list, std::chrono::seconds wait) {
    const int wait_seconds = static_cast<int>(wait.count());
    // The socket timeout must outlast the blocking command.
    ReplyPtr reply = command({"BLMOVE", settings_.list, processing_list, "RIGHT", "LEFT", std::to_string(wait_seconds)},
                             wait_seconds * 1000);
    if (!reply) throw core::Error(core::ErrorKind::Unavailable, "Redis is unavailable.");
    if (reply->type == REDIS_REPLY_STRING) return std::string(reply->str, reply->len);
    return std::nullopt;
}

void Queue::finish(const std::string& processing_list, const std::string& order_id) {
    command({"LREM", processing_list, "1", order_id});
}

int Queue::requeueProcessing(const std::string& processing_list) {
    int moved = 0;
    // Bounded: a processing list never contains more ids than were taken.
    for (int i = 0; i < 1000000; ++i) {
        ReplyPtr reply = command({"LMOVE", processing_list, settings_.list, "RIGHT", "RIGHT"});
        if (!reply) throw core::Error(core::ErrorKind::Unavailable, "Redis is unavailable.");
        if (reply->type != REDIS_REPLY_STRING) break;
        ++moved;
    }
    return moved;
}

bool Queue::ping() {
    ReplyPtr reply = command({"PING"});
    return reply && reply->type == REDIS_REPLY_STATUS;
}

}  // namespace jobs
