#include "tests/support/stack.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace testsupport {

std::string runCommand(const std::string& command, int* status) {
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
    std::array<char, 4096> buffer{};
    size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
    const int rc = ::pclose(pipe);
    if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return output;
}

int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

std::string repositoryRoot() {
    namespace fs = std::filesystem;
    if (const char* root = std::getenv("BARBICAN_ROOT")) return root;
    fs::path path = fs::current_path();
    for (int i = 0; i < 5; ++i) {
        if (fs::exists(path / "scripts" / "stack.sh")) return path.string();
        path = path.parent_path();
    }
    throw std::runtime_error("cannot find the repository root; set BARBICAN_ROOT");
}

std::string TestStack::binDir() const {
    if (const char* bin = std::getenv("BARBICAN_BIN_DIR")) return bin;
    return repositoryRoot() + "/build/bin";
}

TestStack::TestStack() {
    if (const char* state = std::getenv("BARBICAN_TEST_STATE")) {
        dir_ = state;
        std::filesystem::create_directories(dir_);
    } else {
        char pattern[] = "/tmp/barbican-test-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
    }
    port_ = freePort();
    const std::string command = "cd '" + repositoryRoot() + "' && PORT=" + std::to_string(port_) + " WORKERS=4 BIN_DIR='" +
                                binDir() + "' scripts/stack.sh start '" + dir_ + "' > '" + dir_ + "/stack-start.out' 2>&1";
    int status = 0;
    runCommand(command, &status);
    running_ = true;
    if (status != 0) {
        std::ifstream in(dir_ + "/stack-start.out");
        std::stringstream text;
        text << in.rdbuf();
        // Stop whatever part did start, so a failed start leaks no server.
        stop();
        throw std::runtime_error("scripts/stack.sh start failed:\n" + text.str());
    }
}

TestStack& TestStack::get() {
    // A failed start is not retried by every later test: they all fail
    // with the first error.
    static std::string start_error;
    if (!start_error.empty()) throw std::runtime_error(start_error);
    try {
        static TestStack stack;
        return stack;
    } catch (const std::exception& e) {
        start_error = e.what();
        throw;
    }
}

int TestStack::stackCommand(const std::string& command, const std::string& service) const {
    int status = 0;
    const std::string line = "cd '" + repositoryRoot() + "' && PORT=" + std::to_string(port_) + " WORKERS=4 BIN_DIR='" +
                             binDir() + "' scripts/stack.sh " + command + " '" + dir_ + "'" +
                             (service.empty() ? "" : " " + service) + " >> '" + dir_ + "/stack-commands.out' 2>&1";
    runCommand(line, &status);
    return status;
}

std::string TestStack::sql(const std::string& statement) const {
    std::string quoted;
    for (char c : statement) {
        if (c == '\'') quoted += "'\\''";
        else quoted.push_back(c);
    }
    std::string out = runCommand("psql -X -q -t -A -v ON_ERROR_STOP=1 -h '" + dir_ + "/pg/socket' -U barbican -d barbican -c '" +
                                 quoted + "' 2>&1");
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::string TestStack::redis(const std::string& arguments) const {
    return runCommand("redis-cli -s '" + dir_ + "/run/redis.sock' " + arguments + " 2>&1");
}

std::string TestStack::allLogs() const {
    return runCommand("cat '" + dir_ + "'/log/*.log 2>/dev/null");
}

void TestStack::stop() {
    if (!running_) return;
    running_ = false;
    stackCommand("stop");
}

TestStack::~TestStack() { stop(); }

}  // namespace testsupport
