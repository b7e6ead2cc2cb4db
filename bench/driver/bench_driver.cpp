// Load driver for the two benchmark steps that wrk cannot express:
//
//   seed    POST COUNT secrets named PREFIX00000, PREFIX00001, ... with a
//           random 32-byte payload, CONCURRENCY requests at a time, and write
//           their ids, in name order, one per line, to IDS.
//   orders  for DURATION seconds, CONCURRENCY clients each POST a key order
//           and poll it until ACTIVE, then start the next one. Prints orders
//           completed per second and POST-to-ACTIVE time percentiles.
//
// Each prints one line of key=value pairs on stdout and exits 1 when a
// request failed.

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/driver/http_connection.h"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kTimeoutSeconds = 30;
// An order is polled again after a quarter of the time it has waited so far,
// at least 1 ms and at most 50 ms. A POST-to-ACTIVE time is then overstated
// by at most a quarter of itself or 50 ms, and a slow runner does not drown
// the API in polls.
constexpr double kMinPollMs = 1.0;
constexpr double kMaxPollMs = 50.0;
constexpr double kPollFraction = 0.25;
constexpr double kOrderGiveUpSeconds = 60.0;

struct Options {
    std::string command;
    std::map<std::string, std::string> values;

    std::string text(const std::string& name) const {
        const auto it = values.find(name);
        if (it == values.end()) {
            std::cerr << "bench_driver: missing option --" << name << "\n";
            std::exit(2);
        }
        return it->second;
    }
    long number(const std::string& name) const { return std::atol(text(name).c_str()); }
};

Options parseOptions(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: bench_driver seed|orders --port N --project ID [options]\n";
        std::exit(2);
    }
    Options options;
    options.command = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string name = argv[i];
        if (name.rfind("--", 0) != 0) {
            std::cerr << "bench_driver: expected an option, got '" << name << "'\n";
            std::exit(2);
        }
        options.values[name.substr(2)] = argv[i + 1];
    }
    return options;
}

std::string base64Encode(const std::string& bytes) {
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    if (i < bytes.size()) {
        unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// Returns the string member `name` of a JSON object body, or "".
std::string jsonString(const std::string& body, const char* name) {
    boost::system::error_code error;
    const boost::json::value value = boost::json::parse(body, error);
    if (error || !value.is_object()) return {};
    const auto* member = value.as_object().if_contains(name);
    if (member == nullptr || !member->is_string()) return {};
    return std::string(member->as_string());
}

HeaderList projectHeaders(const std::string& project) {
    return {{"X-Project-Id", project}, {"X-Roles", "admin"}, {"Accept", "application/json"}};
}

double percentile(std::vector<double>& sorted, double fraction) {
    if (sorted.empty()) return 0.0;
    const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(fraction * sorted.size()));
    return sorted[index];
}

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

int seed(const Options& options) {
    const int port = static_cast<int>(options.number("port"));
    const std::string project = options.text("project");
    const long count = options.number("count");
    const long concurrency = std::max(1L, options.number("concurrency"));
    const std::string prefix = options.text("prefix");

    std::vector<std::string> ids(static_cast<size_t>(count));
    std::atomic<long> next{0};
    std::atomic<long> failed{0};
    std::mutex error_mutex;
    std::string first_error;
    HeaderList headers = projectHeaders(project);
    headers.emplace_back("Content-Type", "application/json");

    const auto start = Clock::now();
    // The first secret of a project is created alone: the reference fails
    // with 500 when concurrent requests create the same new project.
    std::atomic<long> limit{std::min(1L, count)};
    const auto post_secrets = [&](long t) {
        HttpConnection connection(port, kTimeoutSeconds);
        std::mt19937_64 random(static_cast<unsigned long>(t) * 7919 + std::random_device{}());
        for (long index = next++; index < limit && failed == 0; index = next++) {
            std::string raw(32, '\0');
            for (auto& byte : raw) byte = static_cast<char>(random() & 0xff);
            char name[64];
            std::snprintf(name, sizeof name, "%s%05ld", prefix.c_str(), index);
            const std::string body = std::string("{\"name\": \"") + name + "\", \"payload\": \"" +
                                     base64Encode(raw) +
                                     "\", \"payload_content_type\": \"application/octet-stream\", "
                                     "\"payload_content_encoding\": \"base64\"}";
            const HttpResult result = connection.send("POST", "/v1/secrets", headers, body);
            const std::string ref = result.status == 201 ? jsonString(result.body, "secret_ref") : "";
            if (ref.empty()) {
                ++failed;
                std::lock_guard lock(error_mutex);
                if (first_error.empty()) {
                    first_error = "POST /v1/secrets returned " + std::to_string(result.status) + ": " +
                                  result.body.substr(0, 200);
                }
                continue;
            }
            ids[static_cast<size_t>(index)] = ref.substr(ref.rfind('/') + 1);
        }
    };
    post_secrets(0);
    next = limit.load();
    limit = count;
    std::vector<std::thread> threads;
    for (long t = 0; t < concurrency; ++t) threads.emplace_back(post_secrets, t);
    for (auto& thread : threads) thread.join();
    const double seconds = secondsSince(start);

    if (failed > 0) {
        std::cerr << "bench_driver: seeding failed: " << first_error << "\n";
        return 1;
    }
    std::ofstream out(options.text("ids"));
    for (const auto& id : ids) out << id << "\n";
    out.close();
    if (!out) {
        std::cerr << "bench_driver: failed to write " << options.text("ids") << "\n";
        return 1;
    }
    std::printf("seed created=%ld seconds=%.1f rate=%.1f\n", count, seconds, count / seconds);
    return 0;
}

struct OrderStats {
    std::vector<double> active_ms;
    long non_2xx = 0;
    long failed = 0;
    long polls = 0;
};

// Creates one key order and polls it until it leaves PENDING. Returns the
// POST-to-ACTIVE time in ms, or a negative value when the order failed.
double runOneOrder(HttpConnection& connection, const HeaderList& post_headers, const HeaderList& get_headers,
                   OrderStats& stats) {
    static const std::string kBody =
        "{\"type\": \"key\", \"meta\": {\"name\": \"bench-order\", \"algorithm\": \"aes\", "
        "\"bit_length\": 256, \"mode\": \"cbc\", \"payload_content_type\": \"application/octet-stream\"}}";
    const auto start = Clock::now();
    const HttpResult created = connection.send("POST", "/v1/orders", post_headers, kBody);
    if (created.status < 200 || created.status > 299) {
        ++stats.non_2xx;
        return -1.0;
    }
    const std::string path = pathOf(jsonString(created.body, "order_ref"));
    if (path.empty() || path == "/") return -1.0;

    while (secondsSince(start) < kOrderGiveUpSeconds) {
        const HttpResult polled = connection.send("GET", path, get_headers, "");
        ++stats.polls;
        if (polled.status < 200 || polled.status > 299) {
            ++stats.non_2xx;
            return -1.0;
        }
        const std::string status = jsonString(polled.body, "status");
        if (status == "ACTIVE") {
            return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        }
        if (status != "PENDING") return -1.0;
        const double waited_ms = secondsSince(start) * 1000.0;
        const double wait_ms = std::clamp(waited_ms * kPollFraction, kMinPollMs, kMaxPollMs);
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(wait_ms));
    }
    return -1.0;
}

int orders(const Options& options) {
    const int port = static_cast<int>(options.number("port"));
    const std::string project = options.text("project");
    const long concurrency = std::max(1L, options.number("concurrency"));
    const double duration = static_cast<double>(options.number("duration"));

    const HeaderList get_headers = projectHeaders(project);
    HeaderList post_headers = get_headers;
    post_headers.emplace_back("Content-Type", "application/json");

    std::vector<OrderStats> per_thread(static_cast<size_t>(concurrency));
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (long t = 0; t < concurrency; ++t) {
        threads.emplace_back([&, t] {
            HttpConnection connection(port, kTimeoutSeconds);
            OrderStats& stats = per_thread[static_cast<size_t>(t)];
            while (secondsSince(start) < duration) {
                const double ms = runOneOrder(connection, post_headers, get_headers, stats);
                if (ms < 0) {
                    ++stats.failed;
                    if (stats.failed > 100) return;  // a broken endpoint: stop early
                } else {
                    stats.active_ms.push_back(ms);
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    const double seconds = secondsSince(start);

    OrderStats total;
    for (auto& stats : per_thread) {
        total.active_ms.insert(total.active_ms.end(), stats.active_ms.begin(), stats.active_ms.end());
        total.non_2xx += stats.non_2xx;
        total.failed += stats.failed;
        total.polls += stats.polls;
    }
    std::sort(total.active_ms.begin(), total.active_ms.end());
    const size_t completed = total.active_ms.size();
    std::printf(
        "orders completed=%zu seconds=%.2f rate=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f non2xx=%ld failed=%ld "
        "polls_per_order=%.2f\n",
        completed, seconds, completed / seconds, percentile(total.active_ms, 0.50), percentile(total.active_ms, 0.99),
        percentile(total.active_ms, 0.999), total.non_2xx, total.failed,
        completed > 0 ? static_cast<double>(total.polls) / static_cast<double>(completed) : 0.0);
    return total.failed > 0 ? 1 : 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
    const bench::Options options = bench::parseOptions(argc, argv);
    if (options.command == "seed") return bench::seed(options);
    if (options.command == "orders") return bench::orders(options);
    std::cerr << "bench_driver: unknown command '" << options.command << "': expected seed or orders\n";
    return 2;
}
