#pragma once

// A blocking HTTP/1.1 client connection to 127.0.0.1 for the benchmark
// driver. It keeps the connection open between requests (keep-alive) and
// reconnects when the server closes it, as the reference server does after
// every response.

#include <string>
#include <utility>
#include <vector>

namespace bench {

struct HttpResult {
    int status = 0;  // 0: no response (connect failed, reset or timed out)
    std::string body;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpConnection {
public:
    HttpConnection(int port, int timeout_seconds) : port_(port), timeout_seconds_(timeout_seconds) {}
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    // Sends one request and reads the whole response. A request on a reused
    // connection that the server had already closed is sent again once on a
    // new connection, because nothing of it reached the server.
    HttpResult send(const std::string& method, const std::string& target, const HeaderList& headers,
                    const std::string& body);

private:
    bool connectSocket();
    void closeSocket();
    bool writeAll(const std::string& bytes);
    // Reads one response; `nothing_read` is set when the connection ended
    // before the first byte.
    bool readResponse(HttpResult& result, bool& nothing_read);
    bool fillBuffer();

    int port_;
    int timeout_seconds_;
    int fd_ = -1;
    std::string buffer_;
    bool server_closes_ = false;
};

// Returns the path of an absolute http URL ("http://host:port/v1/x" gives
// "/v1/x"), or the text itself when it has no scheme.
std::string pathOf(const std::string& url);

}  // namespace bench
