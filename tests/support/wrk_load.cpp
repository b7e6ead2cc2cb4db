#include "tests/support/wrk_load.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace testsupport {
namespace {

std::string shellQuote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') quoted += "'\\''";
        else quoted.push_back(c);
    }
    return quoted + "'";
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void checkPercent(const char* name, int value) {
    if (value < 0 || value > 100) {
        throw core::Error(core::ErrorKind::InvalidInput,
                          std::string("WrkLoadOptions.") + name + " must be 0-100, got " + std::to_string(value));
    }
}

long valueOr(const std::map<std::string, long>& counts, const std::string& key) {
    const auto it = counts.find(key);
    return it == counts.end() ? 0 : it->second;
}

}  // namespace

long WrkLoadResult::count(const std::string& kind, int status) const {
    return countRange(kind, status, status);
}

long WrkLoadResult::countRange(const std::string& kind, int low, int high) const {
    long total = 0;
    for (const auto& [name, by_status] : statuses) {
        if (!kind.empty() && name != kind) continue;
        for (const auto& [status, n] : by_status) {
            if (status >= low && status <= high) total += n;
        }
    }
    return total;
}

long WrkLoadResult::countOther(const std::string& kind, const std::vector<int>& allowed) const {
    long total = 0;
    for (const auto& [name, by_status] : statuses) {
        if (!kind.empty() && name != kind) continue;
        for (const auto& [status, n] : by_status) {
            if (std::find(allowed.begin(), allowed.end(), status) == allowed.end()) total += n;
        }
    }
    return total;
}

long WrkLoadResult::lostOf(const std::string& kind) const { return valueOr(lost, kind); }

long WrkLoadResult::unansweredOf(const std::string& kind) const { return valueOr(unanswered, kind); }

long WrkLoadResult::socketErrorsOf(const std::string& name) const { return valueOr(socket_errors, name); }

long WrkLoadResult::socketErrors() const {
    long total = 0;
    for (const auto& [name, n] : socket_errors) total += n;
    return total;
}

std::string WrkLoadResult::summary() const {
    std::ostringstream line;
    line << "requests=" << requests;
    for (const auto& [kind, by_status] : statuses) {
        for (const auto& [status, n] : by_status) line << ' ' << kind << '_' << status << '=' << n;
    }
    for (const auto& [kind, n] : lost) line << " lost_" << kind << '=' << n;
    for (const auto& [kind, n] : unanswered) line << " unanswered_" << kind << '=' << n;
    for (const auto& [name, n] : socket_errors) line << " socket_" << name << '=' << n;
    line << " read_mismatches=" << read_mismatches << " missing_refs=" << missing_refs
         << " bad_error_bodies=" << bad_error_bodies << " latency_max_ms=" << latency_max_us / 1000;
    return line.str();
}

WrkLoadResult parseWrkResults(const std::string& text) {
    WrkLoadResult result;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string record;
        words >> record;
        if (record == "status") {
            std::string kind;
            int status = 0;
            long n = 0;
            words >> kind >> status >> n;
            result.statuses[kind][status] += n;
        } else if (record == "secret") {
            std::string id, payload;
            words >> id >> payload;
            result.secrets.emplace_back(id, payload);
        } else if (record == "order") {
            std::string id;
            words >> id;
            result.orders.push_back(id);
        } else if (record == "lost" || record == "unanswered" || record == "socket") {
            std::string name;
            long n = 0;
            words >> name >> n;
            if (record == "lost") {
                result.lost[name] += n;
            } else if (record == "unanswered") {
                result.unanswered[name] += n;
            } else {
                result.socket_errors[name] += n;
            }
        } else if (record == "mismatch") {
            words >> result.read_mismatches;
        } else if (record == "no_ref") {
            words >> result.missing_refs;
        } else if (record == "bad_error_body") {
            words >> result.bad_error_bodies;
        } else if (record == "failure_window_ms") {
            words >> result.first_failure_ms >> result.last_failure_ms;
        } else if (record == "latency_max_us") {
            words >> result.latency_max_us;
        } else if (record == "requests") {
            words >> result.requests;
        }
    }
    return result;
}

WrkLoad::WrkLoad(const TestStack& stack, WrkLoadOptions options) {
    checkPercent("read_percent", options.read_percent);
    checkPercent("order_percent", options.order_percent);
    if (options.project.empty()) throw core::Error(core::ErrorKind::InvalidInput, "WrkLoadOptions.project is empty");

    static std::atomic<int> runs{0};
    const std::string base = stack.dir() + "/run/wrk-" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
    result_path_ = base + ".results";
    output_path_ = base + ".out";
    const std::string read_path = base + ".reads";
    {
        std::ofstream reads(read_path, std::ios::trunc);
        for (const auto& [id, payload] : options.reads) reads << id << ' ' << payload << '\n';
    }
    std::filesystem::remove(result_path_);

    const std::string connections = std::to_string(options.connections);
    const std::string command =
        "cd " + shellQuote(stack.dir()) + " && LOAD_PROJECT=" + shellQuote(options.project) +
        " LOAD_RESULT_FILE=" + shellQuote(result_path_) + " LOAD_READ_FILE=" + shellQuote(read_path) +
        " LOAD_READ_PERCENT=" + std::to_string(options.read_percent) +
        " LOAD_ORDER_PERCENT=" + std::to_string(options.order_percent) + " wrk -t " + connections + " -c " +
        connections + " -d " + std::to_string(options.seconds) + "s --timeout " +
        std::to_string(options.timeout_seconds) + "s -s " + shellQuote(repositoryRoot() + "/tests/faults/load.lua") +
        " " + stack.baseUrl() + "/ > " + shellQuote(output_path_) + " 2>&1";
    runner_ = std::thread([this, command] { runCommand(command, &status_); });
}

WrkLoad::~WrkLoad() {
    if (runner_.joinable()) runner_.join();
}

WrkLoadResult WrkLoad::wait() {
    if (runner_.joinable()) runner_.join();
    const std::string output = readFile(output_path_);
    if (status_ != 0 || !std::filesystem::exists(result_path_)) {
        throw core::Error(core::ErrorKind::Internal, "wrk failed (exit status " + std::to_string(status_) +
                                                        ", result file " + result_path_ + "); its output:\n" + output);
    }
    WrkLoadResult result = parseWrkResults(readFile(result_path_));
    result.wrk_output = output;
    return result;
}

}  // namespace testsupport
