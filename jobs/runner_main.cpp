#include "jobs/runner_main.h"

#include <unistd.h>

#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/key_files.h"
#include "core/log.h"
#include "db/database.h"
#include "db/project_keys.h"
#include "jobs/operator_modes.h"
#include "jobs/queue.h"
#include "jobs/runner.h"
#include "jobs/stop_signal.h"

namespace jobs {
namespace {

// The daemon's id is runner.id, or "<host name>:<pid>" when that is empty.
// An operator run shares the configuration file of a daemon that may be
// running, so with a runner.id it appends ":operator:<pid>": runner ids must
// be unique among live runners (see Runner).
std::string runnerIdOf(const core::Config& config, bool operator_mode) {
    const std::string pid = std::to_string(::getpid());
    if (!config.runner_id.empty()) return operator_mode ? config.runner_id + ":operator:" + pid : config.runner_id;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    return std::string(host[0] ? host : "localhost") + ":" + pid;
}

const std::vector<core::ExtraFlag>& operatorFlags() {
    static const std::vector<core::ExtraFlag> flags = {
        {"order", "process the order with this id, then exit", true},
        {"all-pending", "process every PENDING order, then exit", false},
        {"retry-errored",
         "put ERROR orders with error_status_code 500 back to PENDING and process them "
         "(only the one given with --order, if any), then exit",
         false},
        {"once", "process the order ids queued in Redis, then exit", false},
    };
    return flags;
}

OperatorRequest operatorRequestOf(const std::vector<std::pair<std::string, std::string>>& values) {
    OperatorRequest request;
    for (const auto& [name, value] : values) {
        if (name == "order") request.order_id = value;
        else if (name == "all-pending") request.all_pending = true;
        else if (name == "retry-errored") request.retry_errored = true;
        else if (name == "once") request.once = true;
    }
    return request;
}

// Resources of one runner thread: a database session, a Redis connection
// and a project key cache.
struct RunnerContext {
    RunnerContext(const core::Config& config, const core::Keyring& keyring)
        : database(db::DatabaseSettings{config.databaseConnectString(), config.redactedDsn(),
                                        config.statement_timeout_seconds}),
          queue(QueueSettings{config.redis_socket, config.redis_host, config.redis_port, config.redis_queue,
                              config.redis_timeout_ms}),
          project_keys(keyring, std::chrono::seconds(config.project_key_cache_seconds)) {}
    db::Database database;
    Queue queue;
    db::ProjectKeyStore project_keys;
};

// Runs the daemon with runner.threads runners. Thread 0 has the runner id
// itself and is the only one that pushes unheld PENDING orders when it
// sweeps. Thread k has the id "<id>#k", so each thread keeps its own
// processing list and leases across restarts with the same configuration.
// A thread that fails stops them all, and the process exits with 2 so that
// its supervisor restarts it.
int runDaemonThreads(const core::Config& config, const core::Keyring& keyring, const std::string& runner_id) {
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (int k = 0; k < config.runner_threads; ++k) {
        threads.emplace_back([&, k] {
            try {
                RunnerContext context(config, keyring);
                const std::string id = k == 0 ? runner_id : runner_id + "#" + std::to_string(k);
                Runner runner(config, context.database, context.queue, context.project_keys, id, k == 0);
                runner.runDaemon();
                context.project_keys.clear();
            } catch (const std::exception& e) {
                core::log::error("runner_thread_failed").kv("thread", k).kv("error", e.what());
                failed = true;
                requestStop();
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    return failed ? 2 : 0;
}

}  // namespace

int runnerMain(int argc, char** argv) {
    core::log::setComponent("job-runner");
    core::ParsedArgs parsed;
    std::vector<std::pair<std::string, std::string>> flag_values;
    try {
        parsed = core::parseArgs(argc, argv, "barbican-job-runner", operatorFlags(), &flag_values);
    } catch (const std::exception& e) {
        std::cerr << "barbican-job-runner: " << e.what() << "\n";
        return 2;
    }
    if (parsed.help) {
        std::cout << parsed.help_text;
        return 0;
    }
    const core::Config& config = parsed.config;
    const OperatorRequest request = operatorRequestOf(flag_values);
    if (const std::optional<std::string> problem = operatorRequestError(request)) {
        std::cerr << "barbican-job-runner: " << *problem << "\n";
        return 2;
    }
    core::log::Level level;
    if (core::log::parseLevel(config.log_level, level)) core::log::setLevel(level);

    try {
        const core::Keyring keyring = core::loadKeyring(config);
        installStopHandlers();
        const std::string runner_id = runnerIdOf(config, request.any());
        if (!request.any() && config.runner_threads > 1) return runDaemonThreads(config, keyring, runner_id);

        RunnerContext context(config, keyring);
        Runner runner(config, context.database, context.queue, context.project_keys, runner_id);
        const int status = request.any() ? runOperatorMode(request, runner, context.database) : runner.runDaemon();
        context.project_keys.clear();
        return status;
    } catch (const std::exception& e) {
        core::log::error("runner_failed").kv("error", e.what());
        std::cerr << "barbican-job-runner: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace jobs
