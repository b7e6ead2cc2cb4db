#include "core/microversion.h"

#include "core/error.h"
#include "core/query.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace core {

namespace {

bool isAsciiSpace(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

std::string_view trimAscii(std::string_view text) {
    while (!text.empty() && isAsciiSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isAsciiSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

bool equalsIgnoringCase(std::string_view left, std::string_view right) {
    return std::equal(left.begin(), left.end(), right.begin(), right.end(), [](char a, char b) {
        const auto lower = [](char ch) {
            return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
        };
        return lower(a) == lower(b);
    });
}

// Returns the version text of the last entry naming the key-manager service.
std::optional<std::string_view> findServiceVersion(std::string_view header) {
    std::vector<std::string_view> entries;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = header.find(',', start);
        entries.push_back(header.substr(start, comma == std::string_view::npos ? comma : comma - start));
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }

    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        const std::string_view entry = trimAscii(*it);
        const auto space = std::find_if(entry.begin(), entry.end(), isAsciiSpace);
        if (space == entry.end()) {
            continue;  // no "<service> <version>" pair
        }
        const std::string_view service = entry.substr(0, static_cast<std::size_t>(space - entry.begin()));
        if (equalsIgnoringCase(service, kMicroversionService)) {
            return trimAscii(entry.substr(service.size()));
        }
    }
    return std::nullopt;
}

[[noreturn]] void throwUnparsable(std::string_view version) {
    throwInvalid("Invalid microversion: '" + std::string(version) +
                 "' is not a version of the form <major>.<minor> or 'latest'.");
}

}  // namespace

std::string Microversion::toString() const {
    return std::to_string(major) + "." + std::to_string(minor);
}

Microversion parseMicroversion(std::optional<std::string_view> header) {
    if (!header) {
        return kMinMicroversion;
    }
    const std::optional<std::string_view> version = findServiceVersion(*header);
    if (!version) {
        return kMinMicroversion;
    }
    if (*version == "latest") {
        return kMaxMicroversion;
    }

    const std::size_t dot = version->find('.');
    if (dot == std::string_view::npos) {
        throwUnparsable(*version);
    }
    const std::optional<std::int64_t> major = parsePythonInt(version->substr(0, dot));
    const std::optional<std::int64_t> minor = parsePythonInt(version->substr(dot + 1));
    if (!major || !minor) {
        throwUnparsable(*version);
    }

    const bool representable = *major >= 0 && *major <= std::numeric_limits<int>::max() &&
                               *minor >= 0 && *minor <= std::numeric_limits<int>::max();
    const Microversion requested{representable ? static_cast<int>(*major) : 0,
                                 representable ? static_cast<int>(*minor) : 0};
    if (!representable || requested < kMinMicroversion || requested > kMaxMicroversion) {
        throw Error(ErrorKind::NotAcceptable,
                    "Invalid microversion: version '" + std::string(*version) +
                        "' is not supported; supported versions are " + kMinMicroversion.toString() +
                        " to " + kMaxMicroversion.toString() + ".");
    }
    return requested;
}

}  // namespace core
