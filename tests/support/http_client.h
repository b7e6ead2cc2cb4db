#pragma once

#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace testsupport {

struct HttpResponse {
    int status = 0;  // 0: no response (connection failed, reset or timed out)
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    boost::json::value json() const;
    std::string header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// A minimal HTTP/1.1 client over TCP to 127.0.0.1, one connection per
// request (Connection: close), with a receive timeout so a hanging server
// fails the test instead of blocking it.
class HttpClient {
public:
    explicit HttpClient(int port, int timeout_seconds = 30) : port_(port), timeout_seconds_(timeout_seconds) {}

    HttpResponse request(const std::string& method, const std::string& target, const Headers& headers = {},
                         const std::string& body = {}) const;

    // Sends `bytes` as they are and parses whatever comes back.
    HttpResponse raw(const std::string& bytes) const;

    int port() const { return port_; }

private:
    int port_;
    int timeout_seconds_;
};

}  // namespace testsupport
