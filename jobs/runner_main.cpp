#include "jobs/runner_main.h"

#include <unistd.h>

#include <iostream>

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
        db::Database database(
            db::DatabaseSettings{config.databaseConnectString(), config.redactedDsn(), config.statement_timeout_seconds});
        Queue queue(QueueSettings{config.redis_socket, config.redis_host, config.redis_port, config.redis_queue,
                                  config.redis_timeout_ms});
        db::ProjectKeyStore project_keys(keyring, std::chrono::seconds(config.project_key_cache_seconds));
        installStopHandlers();

        Runner runner(config, database, queue, project_keys, runnerIdOf(config, request.any()));
        const int status = request.any() ? runOperatorMode(request, runner, database) : runner.runDaemon();
        project_keys.clear();
        return status;
    } catch (const std::exception& e) {
        core::log::error("runner_failed").kv("error", e.what());
        std::cerr << "barbican-job-runner: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace jobs
