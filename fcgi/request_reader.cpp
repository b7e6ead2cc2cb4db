#include "fcgi/request_reader.h"

#include <cctype>
#include <cstring>
#include <string>

#include "core/error.h"
#include "fcgi/error_response.h"

namespace fcgi {
namespace {

// Largest body read into memory. nginx limits bodies to 64 KiB; a bigger one
// can only come from a misconfigured front end and is cut here, which makes
// it fail validation as too large.
constexpr std::size_t kMaxBodyBytes = 1 << 20;

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string param(FCGX_Request& fcgx, const char* name) {
    const char* value = FCGX_GetParam(name, fcgx.envp);
    return value ? std::string(value) : std::string();
}

std::string headerName(std::string_view cgi_name) {
    std::string name;
    name.reserve(cgi_name.size());
    for (char c : cgi_name) name.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return name;
}

// "req-" plus nginx's 32-hex $request_id laid out as a UUID, like Barbican's
// request ids.
std::string formatRequestId(const std::string& raw) {
    if (raw.size() != 32) return raw.empty() ? std::string() : "req-" + raw;
    return "req-" + raw.substr(0, 8) + "-" + raw.substr(8, 4) + "-" + raw.substr(12, 4) + "-" + raw.substr(16, 4) + "-" +
           raw.substr(20);
}

std::string baseHref(const core::Config& config, const Request& request, FCGX_Request& fcgx) {
    if (!config.host_href.empty()) {
        std::string base = config.host_href;
        while (!base.empty() && base.back() == '/') base.pop_back();
        return base;
    }
    std::string scheme = "http";
    if (auto proto = request.header("x-forwarded-proto"); proto && (*proto == "https" || *proto == "http")) {
        scheme = std::string(*proto);
    } else if (param(fcgx, "HTTPS") == "on") {
        scheme = "https";
    }
    std::string host;
    if (auto h = request.header("host")) host = std::string(*h);
    if (host.empty()) {
        host = param(fcgx, "SERVER_NAME");
        const std::string port = param(fcgx, "SERVER_PORT");
        if (!port.empty()) host += ":" + port;
    }
    return scheme + "://" + host;
}

}  // namespace

std::string percentDecodePath(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
            const int hi = hexValue(raw[i + 1]);
            const int lo = hexValue(raw[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(raw[i]);
    }
    return out;
}

void readRequest(FCGX_Request& fcgx, const core::Config& config, Request& request) {
    request.method = param(fcgx, "REQUEST_METHOD");
    request.request_id = formatRequestId(param(fcgx, "REQUEST_ID"));

    for (char** env = fcgx.envp; env != nullptr && *env != nullptr; ++env) {
        const char* entry = *env;
        const char* equals = std::strchr(entry, '=');
        if (equals == nullptr) continue;
        std::string_view name(entry, static_cast<size_t>(equals - entry));
        if (name.rfind("HTTP_", 0) == 0) {
            request.headers[headerName(name.substr(5))] = equals + 1;
        } else if (name == "CONTENT_TYPE" || name == "CONTENT_LENGTH") {
            if (equals[1] != '\0') request.headers[headerName(name)] = equals + 1;
        }
    }

    std::string uri = param(fcgx, "REQUEST_URI");
    const auto question = uri.find('?');
    std::string raw_path = question == std::string::npos ? uri : uri.substr(0, question);
    request.raw_query = question == std::string::npos ? param(fcgx, "QUERY_STRING") : uri.substr(question + 1);
    request.path = percentDecodePath(raw_path);
    if (request.path.empty()) request.path = "/";
    if (request.path.size() > 1 && request.path.back() == '/') request.path.pop_back();

    request.base_href = baseHref(config, request, fcgx);

    char buffer[16384];
    while (request.body.size() < kMaxBodyBytes) {
        const int n = FCGX_GetStr(buffer, sizeof buffer, fcgx.in);
        if (n <= 0) break;
        request.body.append(buffer, static_cast<size_t>(n));
    }
}

void writeResponse(FCGX_Request& fcgx, const Response& response) {
    std::string head = "Status: " + std::to_string(response.status) + " " + std::string(reasonPhrase(response.status)) + "\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n";
    FCGX_PutStr(head.data(), static_cast<int>(head.size()), fcgx.out);
    if (!response.body.empty()) FCGX_PutStr(response.body.data(), static_cast<int>(response.body.size()), fcgx.out);
}

}  // namespace fcgi
