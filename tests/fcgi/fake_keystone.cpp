#include "tests/fcgi/fake_keystone.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "core/timestamp.h"

namespace testsupport {
namespace {

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string isoTime(std::chrono::system_clock::time_point time) {
    return core::formatTimestamp(std::chrono::time_point_cast<std::chrono::microseconds>(time)) + "Z";
}

std::string httpResponse(int status, const std::string& body, const std::string& extra_headers = {}) {
    return "HTTP/1.1 " + std::to_string(status) + " Fake\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body;
}

std::string tokenBody(const testsupport::FakeToken& token) {
    boost::json::object body{{"user", {{"id", token.user_id}, {"name", "user-" + token.user_id}}},
                             {"issued_at", isoTime(std::chrono::system_clock::now())},
                             {"expires_at", isoTime(token.expires_at)},
                             {"methods", boost::json::array{"password"}}};
    if (token.project_id) {
        body["project"] = {{"id", *token.project_id}, {"name", "project-" + *token.project_id}};
        boost::json::array roles;
        for (const auto& role : token.roles) roles.push_back({{"id", "id-" + role}, {"name", role}});
        body["roles"] = std::move(roles);
    }
    return boost::json::serialize(boost::json::object{{"token", std::move(body)}});
}

// Reads one request: the header block, then Content-Length bytes of body.
bool readRequest(int client, FakeRequest& request) {
    std::string data;
    char buffer[4096];
    std::size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
        const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
        if (n <= 0) return false;
        data.append(buffer, static_cast<std::size_t>(n));
        header_end = data.find("\r\n\r\n");
    }
    const std::string head = data.substr(0, header_end);
    std::size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const auto first_space = request_line.find(' ');
    const auto second_space = request_line.find(' ', first_space + 1);
    request.method = request_line.substr(0, first_space);
    request.target = request_line.substr(first_space + 1, second_space - first_space - 1);
    while (line_end != std::string::npos && line_end < head.size()) {
        const std::size_t next = head.find("\r\n", line_end + 2);
        const std::string line = head.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            request.headers[lowered(line.substr(0, colon))] = value;
        }
        line_end = next;
    }
    std::size_t length = 0;
    if (auto found = request.headers.find("content-length"); found != request.headers.end())
        length = std::stoul(found->second);
    request.body = data.substr(header_end + 4);
    while (request.body.size() < length) {
        const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
        if (n <= 0) return false;
        request.body.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

FakeKeystone::FakeKeystone(std::string service_user, std::string service_password)
    : service_user_(std::move(service_user)), service_password_(std::move(service_password)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0)
        throw std::runtime_error("FakeKeystone: cannot listen on 127.0.0.1");
    socklen_t length = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

FakeKeystone::~FakeKeystone() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
}

void FakeKeystone::serve() {
    while (!stop_) {
        pollfd poll_fd{listen_fd_, POLLIN, 0};
        if (::poll(&poll_fd, 1, 50) <= 0) continue;
        const int client = ::accept(listen_fd_, nullptr, nullptr);
        if (client < 0) continue;
        handle(client);
        ::close(client);
    }
}

void FakeKeystone::handle(int client) {
    FakeRequest request;
    if (!readRequest(client, request)) return;
    std::chrono::milliseconds delay;
    {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        delay = delay_;
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    const std::string response = respond(request);
    ::send(client, response.data(), response.size(), MSG_NOSIGNAL);
}

std::string FakeKeystone::respond(const FakeRequest& request) {
    std::lock_guard lock(mutex_);
    if (failure_status_ != 0) return httpResponse(failure_status_, "{\"error\": {\"code\": " + std::to_string(failure_status_) + "}}");
    if (request.target != "/v3/auth/tokens?nocatalog") return httpResponse(404, "{}");

    if (request.method == "POST") {
        boost::json::error_code ec;
        const auto body = boost::json::parse(request.body, ec);
        const auto* user = ec ? nullptr : body.find_pointer("/auth/identity/password/user", ec);
        if (user == nullptr || !user->is_object() || user->as_object().at("name") != service_user_.c_str() ||
            user->as_object().at("password") != service_password_.c_str())
            return httpResponse(401, "{\"error\": {\"code\": 401}}");
        const std::string token = "service-token-" + std::to_string(++issued_);
        service_tokens_[token] = true;
        FakeToken data{std::string("service-project"), "service-user", {"service"},
                       std::chrono::system_clock::now() + service_lifetime_};
        return httpResponse(201, tokenBody(data), "X-Subject-Token: " + token + "\r\n");
    }

    ++validations_;
    const auto auth = request.headers.find("x-auth-token");
    const auto subject = request.headers.find("x-subject-token");
    if (auth == request.headers.end() || !service_tokens_[auth->second]) return httpResponse(401, "{}");
    if (subject == request.headers.end()) return httpResponse(400, "{}");
    const auto found = tokens_.find(subject->second);
    if (found == tokens_.end() || found->second.expires_at <= std::chrono::system_clock::now())
        return httpResponse(404, "{\"error\": {\"code\": 404}}");
    return httpResponse(200, tokenBody(found->second));
}

void FakeKeystone::addToken(const std::string& token, FakeToken data) {
    std::lock_guard lock(mutex_);
    tokens_[token] = std::move(data);
}

void FakeKeystone::removeToken(const std::string& token) {
    std::lock_guard lock(mutex_);
    tokens_.erase(token);
}

void FakeKeystone::revokeServiceTokens() {
    std::lock_guard lock(mutex_);
    for (auto& entry : service_tokens_) entry.second = false;
}

void FakeKeystone::setServiceTokenLifetime(std::chrono::milliseconds lifetime) {
    std::lock_guard lock(mutex_);
    service_lifetime_ = lifetime;
}

void FakeKeystone::setFailureStatus(int status) {
    std::lock_guard lock(mutex_);
    failure_status_ = status;
}

void FakeKeystone::setDelay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
}

int FakeKeystone::serviceTokensIssued() const {
    std::lock_guard lock(mutex_);
    return issued_;
}

int FakeKeystone::validations() const {
    std::lock_guard lock(mutex_);
    return validations_;
}

std::vector<FakeRequest> FakeKeystone::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

}  // namespace testsupport
