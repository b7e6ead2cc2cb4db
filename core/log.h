#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace core::log {

enum class Level { Debug = 0, Info = 1, Warning = 2, Error = 3 };

void setLevel(Level level);
Level level();
bool enabled(Level level);
// Parses "debug", "info", "warning" or "error"; returns false on other input.
bool parseLevel(std::string_view text, Level& out);

// Sets the component name written on every line of this process, for example
// "fcgi-worker" or "job-runner".
void setComponent(std::string component);

// One log line: a level, an event name, then key=value fields. The line is
// written to stderr with a single write(2) when the object is destroyed, so
// lines of concurrent processes never interleave. Values with spaces or
// quotes are quoted. Never pass payloads, keys or passphrases as values.
class Line {
public:
    Line(Level level, std::string_view event);
    ~Line();
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;

    Line& kv(std::string_view key, std::string_view value);
    Line& kv(std::string_view key, const char* value) { return kv(key, std::string_view(value ? value : "")); }
    Line& kv(std::string_view key, const std::string& value) { return kv(key, std::string_view(value)); }
    Line& kv(std::string_view key, long long value);
    Line& kv(std::string_view key, int value) { return kv(key, static_cast<long long>(value)); }
    Line& kv(std::string_view key, long value) { return kv(key, static_cast<long long>(value)); }
    Line& kv(std::string_view key, unsigned value) { return kv(key, static_cast<long long>(value)); }
    Line& kv(std::string_view key, unsigned long value) { return kv(key, static_cast<long long>(value)); }
    Line& kv(std::string_view key, double value);

private:
    bool active_;
    std::string text_;
};

inline Line debug(std::string_view event) { return Line(Level::Debug, event); }
inline Line info(std::string_view event) { return Line(Level::Info, event); }
inline Line warning(std::string_view event) { return Line(Level::Warning, event); }
inline Line error(std::string_view event) { return Line(Level::Error, event); }

}  // namespace core::log
