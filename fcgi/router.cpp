#include "fcgi/router.h"

#include <algorithm>

namespace fcgi {

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> segments;
    if (path.empty() || path == "/") return segments;
    size_t start = path[0] == '/' ? 1 : 0;
    while (true) {
        const size_t slash = path.find('/', start);
        if (slash == std::string::npos) {
            segments.push_back(path.substr(start));
            break;
        }
        segments.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return segments;
}

void Router::add(std::string method, std::string path_template, Handler handler) {
    Route route;
    route.method = std::move(method);
    route.segments = splitPath(path_template);
    for (const auto& segment : route.segments) {
        if (segment.empty() || segment.front() != '{') ++route.literal_count;
    }
    route.path_template = std::move(path_template);
    route.handler = std::move(handler);
    routes_.push_back(std::move(route));
    // Most literal first, so fixed names beat parameters.
    std::stable_sort(routes_.begin(), routes_.end(),
                     [](const Route& a, const Route& b) { return a.literal_count > b.literal_count; });
}

Router::Match Router::match(const std::string& method, const std::string& path,
                            std::map<std::string, std::string>& params) const {
    Match result;
    const std::vector<std::string> segments = splitPath(path);
    const std::vector<std::string>* matched_template = nullptr;
    for (const Route& route : routes_) {
        if (route.segments.size() != segments.size()) continue;
        if (matched_template != nullptr && route.segments != *matched_template) {
            // Only routes with the same shape as the first match count for
            // 405 and the Allow header.
            continue;
        }
        std::map<std::string, std::string> candidate;
        bool ok = true;
        for (size_t i = 0; i < segments.size() && ok; ++i) {
            const std::string& pattern = route.segments[i];
            if (!pattern.empty() && pattern.front() == '{') {
                if (segments[i].empty()) ok = false;
                else candidate[pattern.substr(1, pattern.size() - 2)] = segments[i];
            } else {
                ok = pattern == segments[i];
            }
        }
        if (!ok) continue;
        matched_template = &route.segments;
        result.path_known = true;
        result.allowed.push_back(route.method);
        if (route.method == method && result.handler == nullptr) {
            result.handler = &route.handler;
            result.route = route.path_template;
            params = std::move(candidate);
        }
    }
    return result;
}

}  // namespace fcgi
