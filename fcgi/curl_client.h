#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

typedef void CURL;

namespace fcgi {

struct CurlSettings {
    long connect_timeout_ms = 3000;
    long timeout_ms = 10000;  // whole request, connect included
    bool verify_tls = true;
    std::string ca_file;  // empty: libcurl's default CA bundle
    std::size_t max_body_bytes = 1 << 20;
};

struct CurlResponse {
    long status = 0;     // 0: no HTTP response, see `error`
    std::string error;   // libcurl's message when status is 0
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names, last value wins

    std::optional<std::string> header(const std::string& lower_name) const;
};

// A blocking HTTP client over one libcurl easy handle, which keeps its
// connection to the server open between requests. Owned by one worker
// process and not thread-safe. Redirects are not followed, and only http and
// https URLs are allowed.
class CurlClient {
public:
    explicit CurlClient(CurlSettings settings);
    ~CurlClient();
    CurlClient(const CurlClient&) = delete;
    CurlClient& operator=(const CurlClient&) = delete;

    // Each header is a full "Name: value" line. A failure to get any HTTP
    // response (connect error, timeout, TLS failure, body over
    // max_body_bytes) is returned as status 0 instead of thrown.
    CurlResponse get(const std::string& url, const std::vector<std::string>& headers);
    CurlResponse post(const std::string& url, const std::vector<std::string>& headers, std::string_view body);

private:
    CurlResponse perform(const std::string& url, const std::vector<std::string>& headers, const std::string_view* body);

    CurlSettings settings_;
    CURL* handle_ = nullptr;
};

}  // namespace fcgi
