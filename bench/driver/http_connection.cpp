#include "bench/driver/http_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace bench {
namespace {

std::string lowerCase(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

HttpConnection::~HttpConnection() { closeSocket(); }

bool HttpConnection::connectSocket() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    timeval timeout{timeout_seconds_, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        closeSocket();
        return false;
    }
    buffer_.clear();
    server_closes_ = false;
    return true;
}

void HttpConnection::closeSocket() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
}

bool HttpConnection::writeAll(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

bool HttpConnection::fillBuffer() {
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
}

bool HttpConnection::readResponse(HttpResult& result, bool& nothing_read) {
    nothing_read = true;
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (!fillBuffer()) return false;
        nothing_read = false;
    }
    nothing_read = false;
    const std::string head = buffer_.substr(0, head_end);
    buffer_.erase(0, head_end + 4);

    const auto space = head.find(' ');
    if (head.compare(0, 5, "HTTP/") != 0 || space == std::string::npos) return false;
    result.status = std::atoi(head.c_str() + space + 1);

    long content_length = -1;
    bool chunked = false;
    size_t line_start = head.find("\r\n");
    while (line_start != std::string::npos) {
        line_start += 2;
        const size_t line_end = head.find("\r\n", line_start);
        const std::string line = head.substr(line_start, line_end - line_start);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            const std::string name = lowerCase(line.substr(0, colon));
            std::string value = lowerCase(line.substr(colon + 1));
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            if (name == "content-length") content_length = std::atol(value.c_str());
            if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
            if (name == "connection" && value.find("close") != std::string::npos) server_closes_ = true;
        }
        line_start = line_end;
    }

    if (chunked) {
        result.body.clear();
        while (true) {
            size_t size_end;
            while ((size_end = buffer_.find("\r\n")) == std::string::npos) {
                if (!fillBuffer()) return false;
            }
            const size_t size = std::strtoul(buffer_.c_str(), nullptr, 16);
            while (buffer_.size() < size_end + 2 + size + 2) {
                if (!fillBuffer()) return false;
            }
            result.body.append(buffer_, size_end + 2, size);
            buffer_.erase(0, size_end + 2 + size + 2);
            if (size == 0) return true;
        }
    }
    if (content_length >= 0) {
        while (buffer_.size() < static_cast<size_t>(content_length)) {
            if (!fillBuffer()) return false;
        }
        result.body = buffer_.substr(0, static_cast<size_t>(content_length));
        buffer_.erase(0, static_cast<size_t>(content_length));
        return true;
    }
    // Neither length nor chunks: the body ends when the server closes.
    while (fillBuffer()) {
    }
    result.body = std::move(buffer_);
    server_closes_ = true;
    return true;
}

HttpResult HttpConnection::send(const std::string& method, const std::string& target, const HeaderList& headers,
                                const std::string& body) {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    text += "\r\n";
    text += body;

    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = fd_ >= 0;
        if (!reused && !connectSocket()) return {};
        HttpResult result;
        bool nothing_read = true;
        const bool written = writeAll(text);
        if (written && readResponse(result, nothing_read)) {
            if (server_closes_) closeSocket();
            return result;
        }
        closeSocket();
        // Only a kept-alive connection that the server closed while idle is
        // retried. A failure on a fresh connection is returned as it is.
        if (!reused || !nothing_read) return {};
    }
    return {};
}

std::string pathOf(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    const auto slash = url.find('/', scheme + 3);
    return slash == std::string::npos ? std::string("/") : url.substr(slash);
}

}  // namespace bench
