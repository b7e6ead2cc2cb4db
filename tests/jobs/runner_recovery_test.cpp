// Integration tests of barbican-job-runner against the private test stack:
// crashes, restarts, lost Redis data, Redis and PostgreSQL outages, two
// runners on one queue, and the operator modes. Each test stops the stack's
// own runner and runs its own with fast sweeps.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/jobs/order_test_support.h"

namespace {

using namespace testsupport;
using namespace ordertest;

constexpr const char* kQueue = "barbican:orders";

std::string rsaOrderBody(int bits) {
    return R"({"type":"asymmetric","meta":{"algorithm":"rsa","bit_length":)" + std::to_string(bits) + "}}";
}

std::string orderColumn(const std::string& id, const std::string& column) {
    return stack().sql("SELECT " + column + " FROM orders WHERE id = '" + id + "'");
}

// Waits until `runner_id` holds the lease of one of `ids`; returns that id.
// Returns "" when none was seen held: after 30 s, or once every order left
// PENDING first (an RSA key is sometimes generated faster than the poll).
std::string waitForClaim(const std::vector<std::string>& ids, const std::string& runner_id) {
    std::string claimed;
    eventually(
        [&] {
            bool pending = false;
            for (const std::string& id : ids) {
                const std::string state = orderColumn(id, "coalesce(lease_owner, '') || '|' || status");
                if (state == runner_id + "|PENDING") {
                    claimed = id;
                    return true;
                }
                pending = pending || state.ends_with("|PENDING");
            }
            return !pending;
        },
        std::chrono::seconds(30));
    return claimed;
}

// Checks that every order of the project is ACTIVE with exactly one result.
void checkAllActiveOnce(const std::string& project, long orders, bool asymmetric) {
    CHECK(countRows("orders WHERE project_id = '" + project + "' AND status = 'ACTIVE'") == orders);
    CHECK(countRows("orders WHERE project_id = '" + project + "' AND status = 'ERROR'") == 0);
    if (asymmetric) {
        CHECK(countRows("containers WHERE project_id = '" + project + "'") == orders);
        CHECK(countRows("secrets WHERE project_id = '" + project + "'") == 2 * orders);
        CHECK(countRows("orders o JOIN containers c ON c.id = o.container_id WHERE o.project_id = '" + project + "'") ==
              orders);
    } else {
        CHECK(countRows("secrets WHERE project_id = '" + project + "'") == orders);
        CHECK(countRows("orders o JOIN secrets s ON s.id = o.secret_id WHERE o.project_id = '" + project + "'") ==
              orders);
    }
}

// After a PostgreSQL restart each FastCGI worker returns 503 once, when it
// finds its session broken, and reconnects. Waits until ten requests in a
// row succeed, so later tests see a healthy API.
bool waitForHealthyApi(const Headers& who) {
    int in_a_row = 0;
    return eventually(
        [&] {
            const int status = stack().client().request("GET", "/v1/orders", who).status;
            in_a_row = status == 200 ? in_a_row + 1 : 0;
            return in_a_row >= 10;
        },
        std::chrono::seconds(60));
}

int countLines(const std::string& text, const std::string& needle) {
    int count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
    return count;
}

}  // namespace

TEST_CASE("runner killed mid-task resumes with same id", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(createOrder(who, rsaOrderBody(4096)));

    // A lease longer than the test: only the restart with the same id can
    // take the order back this quickly.
    const std::vector<std::string> options = fastRunnerOptions(600);
    RunnerProcess first("crash-same", options);
    const std::string claimed = waitForClaim(ids, "crash-same");
    REQUIRE_FALSE(claimed.empty());
    first.kill9();
    CHECK(orderColumn(claimed, "status") == "PENDING");
    CHECK(stack().redis("LRANGE " + std::string(kQueue) + ":processing:crash-same 0 -1").find(claimed) !=
          std::string::npos);

    RunnerProcess second("crash-same", options);
    REQUIRE(waitUntilNoPending(project, std::chrono::seconds(180)));
    checkAllActiveOnce(project, 3, true);
    CHECK(orderColumn(claimed, "attempts") == "2");
    CHECK(stack().redis("LLEN " + std::string(kQueue) + ":processing:crash-same") == "0\n");
    CHECK(second.log().find("sweep_done") != std::string::npos);
}

TEST_CASE("runner killed mid-task is recovered by another id", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(createOrder(who, rsaOrderBody(4096)));

    RunnerProcess first("crash-old", fastRunnerOptions(3));
    const std::string claimed = waitForClaim(ids, "crash-old");
    REQUIRE_FALSE(claimed.empty());
    first.kill9();
    CHECK(orderColumn(claimed, "status") == "PENDING");

    // The new runner never reads crash-old's processing list: the sweep finds
    // the order once its 3-second lease has expired.
    RunnerProcess second("crash-new", fastRunnerOptions(3));
    REQUIRE(waitUntilNoPending(project, std::chrono::seconds(180)));
    checkAllActiveOnce(project, 3, true);
    stack().redis("DEL " + std::string(kQueue) + ":processing:crash-old");
}

TEST_CASE("runner SIGTERM finishes the order in hand", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);
    RunnerProcess runner("graceful", fastRunnerOptions(600));
    // Posts one order at a time until the runner is found holding one.
    std::string claimed;
    for (int attempt = 0; attempt < 5 && claimed.empty(); ++attempt) {
        claimed = waitForClaim({createOrder(who, rsaOrderBody(4096))}, "graceful");
    }
    REQUIRE_FALSE(claimed.empty());
    CHECK(runner.terminate(std::chrono::seconds(120)) == 0);
    CHECK(orderColumn(claimed, "status") == "ACTIVE");
    const std::string log = runner.log();
    CHECK(log.find("order_completed order_id=" + claimed) != std::string::npos);
    CHECK(log.find("runner_stopped") != std::string::npos);
    CHECK(log.find("order_completed") < log.find("runner_stopped"));
}

TEST_CASE("runner sweep recovers flushed Redis", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);
    for (int i = 0; i < 20; ++i) createOrder(who, keyOrderBody());
    CHECK(stack().redis("LLEN " + std::string(kQueue)) != "0\n");
    CHECK(stack().redis("FLUSHALL") == "OK\n");
    CHECK(stack().redis("LLEN " + std::string(kQueue)) == "0\n");
    CHECK(countRows("orders WHERE project_id = '" + project + "' AND status = 'PENDING'") == 20);

    RunnerProcess runner("after-flush", fastRunnerOptions());
    REQUIRE(waitUntilNoPending(project, std::chrono::seconds(60)));
    checkAllActiveOnce(project, 20, false);
    CHECK(runner.log().find("sweep_done") != std::string::npos);
}

TEST_CASE("runner order posted during Redis outage", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);
    RunnerProcess runner("redis-outage", fastRunnerOptions());

    REQUIRE(stack().stackCommand("stop-one", "redis") == 0);
    const HttpResponse posted = postOrder(who, keyOrderBody());
    const int posted_status = posted.status;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const std::string pending_during_outage =
        stack().sql("SELECT status FROM orders WHERE project_id = '" + project + "'");
    REQUIRE(stack().stackCommand("start-one", "redis") == 0);

    INFO(posted.body);
    REQUIRE(posted_status == 202);
    CHECK(pending_during_outage == "PENDING");
    const std::string id = idOf(std::string(posted.json().at("order_ref").as_string()));
    CHECK(std::string(waitForOrder(who, id, std::chrono::seconds(60)).at("status").as_string()) == "ACTIVE");
    checkAllActiveOnce(project, 1, false);
    CHECK(stack().allLogs().find("order_push_failed order_id=" + id) != std::string::npos);
    CHECK(runner.log().find("queue_take_failed") != std::string::npos);
    CHECK(runner.running());
}

TEST_CASE("runner survives PostgreSQL restart", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);
    constexpr long kOrders = 20;
    for (long i = 0; i < kOrders; ++i) createOrder(who, rsaOrderBody(2048));

    RunnerProcess runner("pg-restart", fastRunnerOptions());
    REQUIRE(eventually(
        [&] { return countRows("orders WHERE project_id = '" + project + "' AND status = 'ACTIVE'") >= 2; },
        std::chrono::seconds(60)));
    REQUIRE(stack().stackCommand("stop-one", "pg") == 0);
    std::this_thread::sleep_for(std::chrono::seconds(3));
    REQUIRE(stack().stackCommand("start-one", "pg") == 0);

    REQUIRE(waitUntilNoPending(project, std::chrono::seconds(240)));
    CHECK(waitForHealthyApi(who));
    checkAllActiveOnce(project, kOrders, true);
    CHECK(runner.running());
    const std::string log = runner.log();
    CHECK(log.find("order_failed") == std::string::npos);
    CHECK(log.find("order_task_failed") == std::string::npos);
}

TEST_CASE("runner pair processes each order once", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);
    constexpr long kOrders = 200;
    std::string all_ids;
    for (long i = 0; i < kOrders; ++i) all_ids += " " + createOrder(who, keyOrderBody(128));
    // Every id twice in the queue: the lease alone must keep the effect single.
    CHECK(stack().redis("LPUSH " + std::string(kQueue) + all_ids) != "");

    RunnerProcess first("pair-a", fastRunnerOptions(5, 2));
    RunnerProcess second("pair-b", fastRunnerOptions(5, 2));
    REQUIRE(waitUntilNoPending(project, std::chrono::seconds(180)));
    checkAllActiveOnce(project, kOrders, false);
    CHECK(countRows("(SELECT DISTINCT secret_id FROM orders WHERE project_id = '" + project + "') AS d") == kOrders);
    CHECK(countRows("orders WHERE project_id = '" + project + "' AND attempts = 1") == kOrders);

    first.terminate();
    second.terminate();
    const int by_first = countLines(first.log(), "order_completed");
    const int by_second = countLines(second.log(), "order_completed");
    INFO("pair-a completed " << by_first << ", pair-b completed " << by_second);
    CHECK(by_first > 0);
    CHECK(by_second > 0);
    CHECK(by_first + by_second == kOrders);
}

TEST_CASE("runner threads share the queue", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);
    constexpr long kOrders = 120;
    for (long i = 0; i < kOrders; ++i) createOrder(who, keyOrderBody(128));

    RunnerProcess runner("threads", fastRunnerOptions(5, 4));
    REQUIRE(waitUntilNoPending(project, std::chrono::seconds(180)));
    checkAllActiveOnce(project, kOrders, false);
    CHECK(countRows("orders WHERE project_id = '" + project + "' AND attempts = 1") == kOrders);
    CHECK(runner.terminate() == 0);

    const std::string log = runner.log();
    CHECK(countLines(log, "order_completed") == kOrders);
    // Runner ids of the order_completed lines: the threads took turns.
    std::set<std::string> completed_by;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("order_completed") == std::string::npos) continue;
        const auto at = line.find("runner_id=");
        if (at != std::string::npos) completed_by.insert(line.substr(at, line.find(' ', at) - at));
    }
    INFO(log.substr(0, 2000));
    CHECK(completed_by.size() >= 2);
    CHECK(countLines(log, "runner_stopped") == 4);
}

TEST_CASE("runner operator modes", "[e2e][orders]") {
    const StackRunnerPaused paused;
    const std::string project = newProjectId();
    const Headers who = identity(project);

    SECTION("order flag") {
        const std::string id = createOrder(who, keyOrderBody());
        const CommandResult first = runJobRunner({"--order", id});
        INFO(first.err);
        CHECK(first.status == 0);
        CHECK(first.out == "done=1 failed=0 skipped=0\n");
        CHECK(orderColumn(id, "status") == "ACTIVE");

        const CommandResult again = runJobRunner({"--order", id});
        CHECK(again.status == 1);
        CHECK(again.out == "done=0 failed=0 skipped=1\n");

        const std::string failing = createOrder(who, keyOrderBody(512));
        const CommandResult failed = runJobRunner({"--order", failing});
        CHECK(failed.status == 1);
        CHECK(failed.out == "done=0 failed=1 skipped=0\n");
        CHECK(orderColumn(failing, "status || ' ' || error_status_code") == "ERROR 500");

        const CommandResult unknown = runJobRunner({"--order", "not-an-order"});
        CHECK(unknown.status == 1);
        CHECK(unknown.out == "done=0 failed=0 skipped=1\n");
    }

    SECTION("all pending") {
        std::vector<std::string> ids;
        for (int i = 0; i < 25; ++i) ids.push_back(createOrder(who, keyOrderBody()));
        const CommandResult result = runJobRunner({"--all-pending"});
        INFO(result.err);
        CHECK(result.status == 0);
        CHECK(result.out.rfind("done=", 0) == 0);
        CHECK(result.out.find(" failed=0 skipped=0\n") != std::string::npos);
        CHECK(result.err.find("processed ") != std::string::npos);
        CHECK(countRows("orders WHERE project_id = '" + project + "' AND status = 'ACTIVE'") == 25);
        checkAllActiveOnce(project, 25, false);
    }

    SECTION("retry errored") {
        // A 500 that a retry can fix: a valid order marked as failed.
        const std::string fixable = createOrder(who, keyOrderBody());
        stack().sql("UPDATE orders SET status = 'ERROR', error_status_code = '500', error_reason = 'x' WHERE id = '" +
                    fixable + "'");
        const CommandResult fixed = runJobRunner({"--retry-errored", "--order", fixable});
        INFO(fixed.err);
        CHECK(fixed.status == 0);
        CHECK(fixed.out == "done=1 failed=0 skipped=0\n");
        CHECK(orderColumn(fixable, "status || coalesce(error_status_code, '-') || coalesce(error_reason, '-')") ==
              "ACTIVE--");
        checkAllActiveOnce(project, 1, false);

        // A 400 is the request's fault and is never retried.
        const std::string unsupported = createOrder(who, R"({"type":"key","meta":{"algorithm":"rsa","bit_length":2048}})");
        REQUIRE(runJobRunner({"--order", unsupported}).status == 1);
        CHECK(orderColumn(unsupported, "error_status_code") == "400");
        const CommandResult skipped = runJobRunner({"--retry-errored", "--order", unsupported});
        CHECK(skipped.status == 1);
        CHECK(skipped.out == "done=0 failed=0 skipped=1\n");
        CHECK(orderColumn(unsupported, "status") == "ERROR");

        // A 500 that fails again stays ERROR and the run fails.
        const std::string too_big = createOrder(who, keyOrderBody(512));
        REQUIRE(runJobRunner({"--order", too_big}).status == 1);
        const CommandResult again = runJobRunner({"--retry-errored", "--order", too_big});
        CHECK(again.status == 1);
        CHECK(again.out == "done=0 failed=1 skipped=0\n");
        CHECK(orderColumn(too_big, "status || ' ' || error_status_code || ' ' || attempts") == "ERROR 500 1");
    }

    SECTION("once") {
        stack().redis("DEL " + std::string(kQueue));
        const std::string first = createOrder(who, keyOrderBody());
        const std::string second = createOrder(who, keyOrderBody());
        const CommandResult result = runJobRunner({"--once", "--runner.id=operator-once"});
        INFO(result.err);
        CHECK(result.status == 0);
        CHECK(result.out == "done=2 failed=0 skipped=0\n");
        CHECK(orderColumn(first, "status") == "ACTIVE");
        CHECK(orderColumn(second, "status") == "ACTIVE");
        CHECK(stack().redis("LLEN " + std::string(kQueue)) == "0\n");

        const CommandResult empty = runJobRunner({"--once", "--runner.id=operator-once"});
        CHECK(empty.status == 0);
        CHECK(empty.out == "done=0 failed=0 skipped=0\n");
    }

    SECTION("bad flags") {
        const CommandResult both = runJobRunner({"--once", "--all-pending"});
        CHECK(both.status == 2);
        CHECK(both.err.find("only one of") != std::string::npos);
        CHECK(runJobRunner({"--order", "x", "--once"}).status == 2);
        CHECK(runJobRunner({"--no-such-flag"}).status == 2);
        const CommandResult help = runJobRunner({"--help"});
        CHECK(help.status == 0);
        CHECK(help.out.find("--retry-errored") != std::string::npos);
    }
}
