// libFuzzer target: request routing. The input is "METHOD PATH", split at the
// first space (no space gives an empty method). The path is percent-decoded
// as the worker does and matched against every route of the API, and no
// handler runs.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fcgi/request_reader.h"
#include "fcgi/router.h"

namespace {

const fcgi::Router& router() {
    static const fcgi::Router instance = [] {
        fcgi::Router r;
        fcgi::registerRoutes(r);
        return r;
    }();
    return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto space = input.find(' ');
    const std::string method(space == std::string_view::npos ? std::string_view() : input.substr(0, space));
    const std::string raw_path(space == std::string_view::npos ? input : input.substr(space + 1));

    std::string path = fcgi::percentDecodePath(raw_path);
    if (path.size() > raw_path.size()) __builtin_trap();
    if (path.empty()) path = "/";

    std::map<std::string, std::string> params;
    const fcgi::Router::Match match = router().match(method, path, params);
    if (match.handler != nullptr) {
        if (!match.path_known || match.route.empty()) __builtin_trap();
        bool listed = false;
        for (const auto& allowed : match.allowed) listed = listed || allowed == method;
        if (!listed) __builtin_trap();
        for (const auto& [name, value] : params) {
            if (name.empty() || value.empty() || value.find('/') != std::string::npos) __builtin_trap();
        }
    } else if (!match.path_known && !match.allowed.empty()) {
        __builtin_trap();
    }
    return 0;
}
