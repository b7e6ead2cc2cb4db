#pragma once

#include <string>

#include "tests/support/http_client.h"

namespace testsupport {

// The whole service (PostgreSQL, Redis, barbican-fcgi, barbican-job-runner,
// nginx) started by scripts/stack.sh in a private folder on a free port,
// once per test process, and stopped when the process exits. The folder is
// $BARBICAN_TEST_STATE when set (scripts/run_tests.sh sets it so it can stop
// the stack even after a crash), else a new one under /tmp.
class TestStack {
public:
    static TestStack& get();

    int port() const { return port_; }
    const std::string& dir() const { return dir_; }
    HttpClient client(int timeout_seconds = 30) const { return HttpClient(port_, timeout_seconds); }
    std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // Runs "scripts/stack.sh <words> DIR" style commands, e.g.
    // stackCommand("stop-one", "pg"). Returns the exit status.
    int stackCommand(const std::string& command, const std::string& service = {}) const;

    // Runs SQL through psql on the stack's database; returns its unaligned,
    // tuples-only output with the trailing newline removed.
    std::string sql(const std::string& statement) const;

    // Runs redis-cli against the stack's Redis; returns its raw output.
    std::string redis(const std::string& arguments) const;

    // Concatenation of every log file of the stack.
    std::string allLogs() const;

    std::string configPath() const { return dir_ + "/etc/barbican.conf"; }
    std::string binDir() const;

    void stop();
    ~TestStack();

private:
    TestStack();
    int port_ = 0;
    std::string dir_;
    bool running_ = false;
};

// Runs a shell command and returns its standard output; `status` gets the
// exit status when not null.
std::string runCommand(const std::string& command, int* status = nullptr);

// A free TCP port on 127.0.0.1, found by binding port 0.
int freePort();

// Root of the repository (the tests run from it or from build/).
std::string repositoryRoot();

}  // namespace testsupport
