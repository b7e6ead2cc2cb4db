#include "jobs/runner_main.h"

#include <signal.h>
#include <unistd.h>

#include <iostream>

#include "core/config.h"
#include "core/key_files.h"
#include "core/log.h"

namespace jobs {

// NOTE: placeholder daemon that loads its configuration and waits for
// SIGTERM; order processing is not wired in yet.
int runnerMain(int argc, char** argv) {
    core::log::setComponent("job-runner");
    try {
        core::ParsedArgs parsed = core::parseArgs(argc, argv, "barbican-job-runner", {}, nullptr);
        if (parsed.help) {
            std::cout << parsed.help_text;
            return 0;
        }
        core::Keyring keyring = core::loadKeyring(parsed.config);
        core::log::info("runner_started");
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigprocmask(SIG_BLOCK, &set, nullptr);
        int sig = 0;
        sigwait(&set, &sig);
        core::log::info("runner_stopped");
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "barbican-job-runner: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace jobs
