#include "tests/jobs/order_test_support.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "core/keyring.h"
#include "db/bytea.h"

namespace ordertest {
namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string shellQuote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') quoted += "'\\''";
        else quoted.push_back(c);
    }
    return quoted + "'";
}

std::vector<std::string> splitFields(const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, '|')) fields.push_back(field);
    return fields;
}

}  // namespace

TestStack& stack() { return TestStack::get(); }

HttpResponse postOrder(const Headers& who, const std::string& body) {
    return stack().client().request("POST", "/v1/orders", testsupport::withJson(who), body);
}

std::string createOrder(const Headers& who, const std::string& body) {
    const HttpResponse response = postOrder(who, body);
    INFO(body << " -> " << response.body);
    REQUIRE(response.status == 202);
    return testsupport::idOf(std::string(response.json().at("order_ref").as_string()));
}

std::string keyOrderBody(int bits, const std::string& name) {
    return boost::json::serialize(boost::json::object{
        {"type", "key"},
        {"meta", boost::json::object{{"name", name}, {"algorithm", "aes"}, {"bit_length", bits}, {"mode", "cbc"}}}});
}

boost::json::object waitForOrder(const Headers& who, const std::string& order_id, std::chrono::seconds timeout) {
    boost::json::object last;
    eventually(
        [&] {
            const HttpResponse response = stack().client().request("GET", "/v1/orders/" + order_id, who);
            if (response.status != 200) return false;
            last = response.json().as_object();
            return last.at("status").as_string() != "PENDING";
        },
        timeout);
    return last;
}

bool waitUntilNoPending(const std::string& project, std::chrono::seconds timeout) {
    return eventually(
        [&] { return countRows("orders WHERE project_id = '" + project + "' AND status = 'PENDING'") == 0; }, timeout);
}

long countRows(const std::string& from_where) {
    const std::string out = stack().sql("SELECT count(*) FROM " + from_where);
    INFO("count(*) FROM " << from_where << " -> " << out);
    return std::stol(out);
}

std::string storedPayload(const std::string& secret_id) {
    const std::string line = stack().sql(
        "SELECT s.project_id, s.content_type, encode(s.ciphertext, 'hex'), encode(k.wrapped_key, 'hex')"
        " FROM secrets s JOIN project_keys k ON k.project_id = s.project_id WHERE s.id = '" +
        secret_id + "'");
    const std::vector<std::string> fields = splitFields(line);
    INFO("secret " << secret_id << " row: " << line.substr(0, 80));
    REQUIRE(fields.size() == 4);
    const core::Keyring keyring(core::MasterKey::loadFile(stack().dir() + "/etc/master.key"));
    const CryptoPP::SecByteBlock project_key = keyring.unwrapProjectKey(db::hexDecode(fields[3]), fields[0]);
    const CryptoPP::SecByteBlock payload =
        core::decryptPayload(project_key, core::PayloadBinding{secret_id, fields[0], fields[1]}, db::hexDecode(fields[2]));
    return std::string(reinterpret_cast<const char*>(payload.data()), payload.size());
}

CommandResult runJobRunner(const std::vector<std::string>& arguments) {
    static int counter = 0;
    const std::string base = stack().dir() + "/run/operator-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    std::string command = shellQuote(stack().binDir() + "/barbican-job-runner") + " --config " +
                          shellQuote(stack().configPath());
    for (const std::string& argument : arguments) command += " " + shellQuote(argument);
    command += " > " + shellQuote(base + ".out") + " 2> " + shellQuote(base + ".err") + " < /dev/null";
    CommandResult result;
    testsupport::runCommand(command, &result.status);
    result.out = readFile(base + ".out");
    result.err = readFile(base + ".err");
    ::unlink((base + ".out").c_str());
    ::unlink((base + ".err").c_str());
    return result;
}

std::vector<std::string> fastRunnerOptions(int lease_seconds, int threads) {
    return {"--runner.sweep_interval_seconds=1", "--runner.sweep_min_age_seconds=1",
            "--runner.lease_seconds=" + std::to_string(lease_seconds), "--runner.threads=" + std::to_string(threads)};
}

RunnerProcess::RunnerProcess(const std::string& runner_id, const std::vector<std::string>& options) {
    log_path_ = stack().dir() + "/log/test-runner-" + runner_id + ".log";
    std::vector<std::string> arguments = {stack().binDir() + "/barbican-job-runner", "--config", stack().configPath(),
                                          "--runner.id=" + runner_id};
    arguments.insert(arguments.end(), options.begin(), options.end());
    std::vector<char*> argv;
    for (std::string& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);

    const pid_t parent = ::getpid();
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        // Only async-signal-safe calls until exec. The runner gets SIGTERM
        // if the test process dies, so no runner outlives the test stack.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        const int null = ::open("/dev/null", O_RDONLY);
        if (log < 0 || null < 0) ::_exit(127);
        ::dup2(null, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
}

RunnerProcess::~RunnerProcess() {
    if (pid_ > 0) terminate();
}

int RunnerProcess::waitExit(std::chrono::seconds timeout) {
    int status = 0;
    const bool exited = eventually(
        [&] {
            const pid_t done = ::waitpid(pid_, &status, WNOHANG);
            return done == pid_ || done < 0;
        },
        timeout);
    if (!exited) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void RunnerProcess::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitExit(std::chrono::seconds(10));
}

int RunnerProcess::terminate(std::chrono::seconds timeout) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const int status = waitExit(timeout);
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        waitExit(std::chrono::seconds(10));
    }
    return status;
}

bool RunnerProcess::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

std::string RunnerProcess::log() const { return readFile(log_path_); }

StackRunnerPaused::StackRunnerPaused() { REQUIRE(stack().stackCommand("stop-one", "runner") == 0); }

StackRunnerPaused::~StackRunnerPaused() { stack().stackCommand("start-one", "runner"); }

}  // namespace ordertest
