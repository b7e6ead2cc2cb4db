#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace core::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::string g_component = "barbican";

const char* levelName(Level level) {
    switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warning: return "warning";
    case Level::Error: return "error";
    }
    return "info";
}

bool needsQuotes(std::string_view value) {
    if (value.empty()) return true;
    for (unsigned char c : value) {
        if (c <= ' ' || c == '"' || c == '=' || c >= 0x7f) return true;
    }
    return false;
}

// Appends a value, escaping control bytes and quotes so one log line stays
// one line whatever the value holds.
void appendValue(std::string& out, std::string_view value) {
    if (!needsQuotes(value)) {
        out.append(value);
        return;
    }
    out.push_back('"');
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out.append(buf);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
}

}  // namespace

void setLevel(Level level) { g_level.store(static_cast<int>(level)); }
Level level() { return static_cast<Level>(g_level.load()); }
bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

bool parseLevel(std::string_view text, Level& out) {
    if (text == "debug") out = Level::Debug;
    else if (text == "info") out = Level::Info;
    else if (text == "warning") out = Level::Warning;
    else if (text == "error") out = Level::Error;
    else return false;
    return true;
}

void setComponent(std::string component) { g_component = std::move(component); }

Line::Line(Level level, std::string_view event) : active_(enabled(level)) {
    if (!active_) return;
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const long micros = static_cast<long>(
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
    text_.reserve(256);
    text_.append(stamp).append(" ").append(levelName(level)).append(" ").append(g_component);
    text_.append("[").append(std::to_string(getpid())).append("] ").append(event);
}

Line::~Line() {
    if (!active_) return;
    text_.push_back('\n');
    const char* data = text_.data();
    size_t left = text_.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, data, left);
        if (n <= 0) break;
        data += n;
        left -= static_cast<size_t>(n);
    }
}

Line& Line::kv(std::string_view key, std::string_view value) {
    if (!active_) return *this;
    text_.push_back(' ');
    text_.append(key).push_back('=');
    appendValue(text_, value);
    return *this;
}

Line& Line::kv(std::string_view key, long long value) {
    if (!active_) return *this;
    text_.push_back(' ');
    text_.append(key).push_back('=');
    text_.append(std::to_string(value));
    return *this;
}

Line& Line::kv(std::string_view key, double value) {
    if (!active_) return *this;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", value);
    text_.push_back(' ');
    text_.append(key).push_back('=');
    text_.append(buf);
    return *this;
}

}  // namespace core::log
