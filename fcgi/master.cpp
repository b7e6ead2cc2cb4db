#include "fcgi/master.h"

#include <fcgiapp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "core/config.h"
#include "core/key_files.h"
#include "core/log.h"
#include "fcgi/worker.h"

namespace fcgi {
namespace {

using Clock = std::chrono::steady_clock;

// A worker that dies sooner than this after its start counts as a crash
// loop and is restarted after a growing delay.
constexpr auto kStableAfter = std::chrono::seconds(10);
constexpr auto kMaxBackoff = std::chrono::seconds(30);
constexpr auto kDrainTimeout = std::chrono::seconds(30);

struct Loaded {
    core::Config config;
    std::unique_ptr<core::Keyring> keyring;
};

std::optional<Loaded> loadConfig(int argc, char** argv) {
    try {
        core::ParsedArgs parsed = core::parseArgs(argc, argv, "barbican-fcgi", {}, nullptr);
        if (parsed.help) {
            std::cout << parsed.help_text;
            std::exit(0);
        }
        Loaded loaded;
        loaded.config = std::move(parsed.config);
        loaded.keyring = std::make_unique<core::Keyring>(core::loadKeyring(loaded.config));
        return loaded;
    } catch (const std::exception& e) {
        core::log::error("configuration_invalid").kv("error", e.what());
        return std::nullopt;
    }
}

// Takes the socket passed by systemd socket activation, if any.
int inheritedSocket() {
    const char* pid = std::getenv("LISTEN_PID");
    const char* fds = std::getenv("LISTEN_FDS");
    if (pid == nullptr || fds == nullptr) return -1;
    if (std::atol(pid) != static_cast<long>(getpid()) || std::atoi(fds) < 1) return -1;
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    return 3;  // SD_LISTEN_FDS_START
}

struct WorkerProcess {
    int slot;
    Clock::time_point started;
    int generation;
};

class Master {
public:
    Master(Loaded loaded, int argc, char** argv) : loaded_(std::move(loaded)), argc_(argc), argv_(argv) {}

    int run();

private:
    bool openSocket();
    pid_t spawn(int slot, bool wait_ready);
    void reapChildren();
    void restartDue();
    void reload();
    void drain();

    Loaded loaded_;
    int argc_;
    char** argv_;
    int listen_fd_ = -1;
    bool own_socket_ = false;
    int generation_ = 0;
    std::map<pid_t, WorkerProcess> workers_;
    std::map<int, int> crash_count_;                     // slot -> consecutive quick deaths
    std::map<int, Clock::time_point> restart_at_;        // slot -> when to restart it
};

bool Master::openSocket() {
    listen_fd_ = inheritedSocket();
    if (listen_fd_ >= 0) {
        core::log::info("socket_inherited").kv("fd", listen_fd_);
        return true;
    }
    const std::string& path = loaded_.config.fcgi_socket;
    ::unlink(path.c_str());
    const mode_t old_umask = ::umask(0177);
    listen_fd_ = FCGX_OpenSocket(path.c_str(), loaded_.config.fcgi_backlog);
    ::umask(old_umask);
    if (listen_fd_ < 0) {
        core::log::error("socket_bind_failed").kv("path", path).kv("error", std::strerror(errno));
        return false;
    }
    ::chmod(path.c_str(), loaded_.config.fcgi_socket_mode);
    own_socket_ = true;
    core::log::info("socket_bound").kv("path", path).kv("mode", std::to_string(loaded_.config.fcgi_socket_mode));
    return true;
}

pid_t Master::spawn(int slot, bool wait_ready) {
    int ready[2] = {-1, -1};
    if (wait_ready && ::pipe(ready) != 0) wait_ready = false;
    const pid_t pid = ::fork();
    if (pid < 0) {
        core::log::error("fork_failed").kv("error", std::strerror(errno));
        if (wait_ready) {
            ::close(ready[0]);
            ::close(ready[1]);
        }
        return -1;
    }
    if (pid == 0) {
        if (wait_ready) ::close(ready[0]);
        const int status = runWorker(loaded_.config, *loaded_.keyring, listen_fd_, wait_ready ? ready[1] : -1);
        std::_Exit(status);
    }
    workers_[pid] = WorkerProcess{slot, Clock::now(), generation_};
    core::log::info("worker_spawned").kv("pid", static_cast<long>(pid)).kv("slot", slot);
    if (wait_ready) {
        ::close(ready[1]);
        // Wait at most 10 s for the worker to report that it accepts.
        fd_set set;
        FD_ZERO(&set);
        FD_SET(ready[0], &set);
        timeval timeout{10, 0};
        if (::select(ready[0] + 1, &set, nullptr, nullptr, &timeout) <= 0)
            core::log::warning("worker_not_ready").kv("pid", static_cast<long>(pid));
        ::close(ready[0]);
    }
    return pid;
}

void Master::reapChildren() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        auto it = workers_.find(pid);
        if (it == workers_.end()) continue;
        const WorkerProcess worker = it->second;
        workers_.erase(it);
        const bool stopped_by_us = worker.generation != generation_;
        if (WIFSIGNALED(status)) {
            core::log::warning("worker_exited").kv("pid", static_cast<long>(pid)).kv("signal", WTERMSIG(status));
        } else {
            core::log::info("worker_exited").kv("pid", static_cast<long>(pid)).kv("status", WEXITSTATUS(status));
        }
        if (stopped_by_us || worker.slot >= loaded_.config.effectiveWorkers()) continue;
        const bool quick = Clock::now() - worker.started < kStableAfter;
        int& crashes = crash_count_[worker.slot];
        crashes = quick ? crashes + 1 : 0;
        auto delay = std::chrono::milliseconds(0);
        if (crashes > 0) {
            const long ms = std::min<long>(100L << std::min(crashes, 10), kMaxBackoff.count() * 1000);
            delay = std::chrono::milliseconds(ms);
            core::log::warning("worker_restart_backoff").kv("slot", worker.slot).kv("delay_ms", static_cast<long>(ms));
        }
        restart_at_[worker.slot] = Clock::now() + delay;
    }
}

void Master::restartDue() {
    const auto now = Clock::now();
    for (auto it = restart_at_.begin(); it != restart_at_.end();) {
        if (it->second <= now) {
            spawn(it->first, false);
            it = restart_at_.erase(it);
        } else {
            ++it;
        }
    }
}

void Master::reload() {
    core::log::info("reload_started");
    std::optional<Loaded> fresh = loadConfig(argc_, argv_);
    if (!fresh) {
        core::log::error("reload_failed").kv("reason", "configuration invalid; keeping the running workers");
        return;
    }
    if (fresh->config.fcgi_socket != loaded_.config.fcgi_socket)
        core::log::warning("reload_socket_unchanged").kv("reason", "fcgi.socket takes effect only on restart");
    std::vector<pid_t> old;
    for (const auto& [pid, worker] : workers_) old.push_back(pid);
    loaded_ = std::move(*fresh);
    ++generation_;
    restart_at_.clear();
    crash_count_.clear();
    // One new worker up and accepting before each old one gets SIGTERM,
    // so the pool never shrinks and no request is rejected.
    const int wanted = loaded_.config.effectiveWorkers();
    for (int slot = 0; slot < wanted; ++slot) {
        spawn(slot, true);
        if (static_cast<size_t>(slot) < old.size()) ::kill(old[static_cast<size_t>(slot)], SIGTERM);
    }
    for (size_t i = static_cast<size_t>(wanted); i < old.size(); ++i) ::kill(old[i], SIGTERM);
    core::log::info("reload_finished").kv("workers", wanted);
}

void Master::drain() {
    core::log::info("master_stopping").kv("workers", static_cast<long>(workers_.size()));
    for (const auto& [pid, worker] : workers_) ::kill(pid, SIGTERM);
    const auto deadline = Clock::now() + kDrainTimeout;
    while (!workers_.empty() && Clock::now() < deadline) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            workers_.erase(pid);
            continue;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const auto& [pid, worker] : workers_) {
        core::log::warning("worker_killed").kv("pid", static_cast<long>(pid)).kv("reason", "drain timeout");
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    workers_.clear();
    if (own_socket_) ::unlink(loaded_.config.fcgi_socket.c_str());
}

int Master::run() {
    core::log::setComponent("fcgi-master");
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    sigprocmask(SIG_BLOCK, &handled, nullptr);
    signal(SIGPIPE, SIG_IGN);

    if (!openSocket()) return 1;
    FCGX_Init();
    const int wanted = loaded_.config.effectiveWorkers();
    core::log::info("master_started").kv("workers", wanted).kv("dsn", loaded_.config.redactedDsn());
    for (int slot = 0; slot < wanted; ++slot) spawn(slot, false);

    while (true) {
        timespec timeout{0, 100 * 1000 * 1000};
        siginfo_t info{};
        const int sig = ::sigtimedwait(&handled, &info, &timeout);
        if (sig == SIGTERM || sig == SIGINT) break;
        if (sig == SIGHUP) reload();
        reapChildren();
        restartDue();
    }
    drain();
    core::log::info("master_stopped");
    return 0;
}

}  // namespace

int runMaster(int argc, char** argv) {
    core::log::setComponent("fcgi-master");
    std::optional<Loaded> loaded = loadConfig(argc, argv);
    if (!loaded) return 2;
    core::log::Level level;
    if (core::log::parseLevel(loaded->config.log_level, level)) core::log::setLevel(level);
    Master master(std::move(*loaded), argc, argv);
    return master.run();
}

}  // namespace fcgi
