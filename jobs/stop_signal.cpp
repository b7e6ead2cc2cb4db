#include "jobs/stop_signal.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace jobs {
namespace {

// Lock-free, so the signal handler may set it and every thread reads it.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void onStopSignal(int) { g_stop = true; }

}  // namespace

void installStopHandlers() {
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
}

bool stopRequested() { return g_stop; }

void requestStop() { g_stop = true; }

void sleepUnlessStopped(std::chrono::milliseconds duration) {
    constexpr std::chrono::milliseconds kSlice(100);
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (!stopRequested()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        std::this_thread::sleep_for(std::min(left, kSlice));
    }
}

}  // namespace jobs
