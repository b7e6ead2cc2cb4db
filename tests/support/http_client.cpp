#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstring>
#include <stdexcept>

namespace testsupport {
namespace {

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

HttpResponse parseResponse(const std::string& data) {
    HttpResponse response;
    const auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string::npos || data.compare(0, 5, "HTTP/") != 0) return response;
    const auto first_line_end = data.find("\r\n");
    const std::string status_line = data.substr(0, first_line_end);
    const auto space = status_line.find(' ');
    if (space == std::string::npos) return response;
    response.status = std::atoi(status_line.c_str() + space + 1);
    size_t pos = first_line_end + 2;
    while (pos < head_end) {
        const auto line_end = data.find("\r\n", pos);
        const std::string line = data.substr(pos, line_end - pos);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            response.headers[lower(line.substr(0, colon))] = value;
        }
        pos = line_end + 2;
    }
    std::string body = data.substr(head_end + 4);
    if (lower(response.header("transfer-encoding")) == "chunked") {
        std::string decoded;
        size_t at = 0;
        while (at < body.size()) {
            const auto size_end = body.find("\r\n", at);
            if (size_end == std::string::npos) break;
            const size_t chunk = std::stoul(body.substr(at, size_end - at), nullptr, 16);
            if (chunk == 0) break;
            decoded += body.substr(size_end + 2, chunk);
            at = size_end + 2 + chunk + 2;
        }
        body = decoded;
    }
    response.body = body;
    return response;
}

}  // namespace

boost::json::value HttpResponse::json() const {
    try {
        return boost::json::parse(body);
    } catch (const std::exception&) {
        return nullptr;
    }
}

std::string HttpResponse::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

HttpResponse HttpClient::raw(const std::string& bytes) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    timeval tv{timeout_seconds_, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return {};
    }
    size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may answer before reading it all
        sent += static_cast<size_t>(n);
    }
    std::string data;
    char buffer[65536];
    while (true) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        data.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return parseResponse(data);
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target, const Headers& headers,
                                 const std::string& body) const {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                       "\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    text += "\r\n" + body;
    return raw(text);
}

}  // namespace testsupport
