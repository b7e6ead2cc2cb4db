#include "fcgi/worker.h"

#include <fcgiapp.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "core/crypto.h"
#include "core/log.h"
#include "fcgi/app.h"
#include "fcgi/dispatch.h"
#include "fcgi/error_response.h"
#include "fcgi/keystone_auth.h"
#include "fcgi/request_reader.h"

namespace fcgi {
namespace {

volatile sig_atomic_t g_stop = 0;

void onTerminate(int) {
    g_stop = 1;
    FCGX_ShutdownPending();
}

void installSignalHandlers() {
    struct sigaction action {};
    action.sa_handler = onTerminate;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: accept() must return EINTR
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
}

struct FcgxRequestDeleter {
    void operator()(FCGX_Request* request) const {
        FCGX_Free(request, 0);
        delete request;
    }
};

void logRequest(const Request& request, const Response& response, std::chrono::steady_clock::time_point started) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    core::log::info("request")
        .kv("method", request.method)
        .kv("route", request.route.empty() ? std::string("(none)") : request.route)
        .kv("status", response.status)
        .kv("duration_ms", ms)
        .kv("project_id", request.identity.project_id.empty() ? std::string("-") : request.identity.project_id)
        .kv("request_id", request.request_id);
}

}  // namespace

int runWorker(const core::Config& config, const core::Keyring& keyring, int listen_fd, int ready_fd) {
    core::log::setComponent("fcgi-worker");
    core::reseedAfterFork();
    installSignalHandlers();

    db::Database database(db::DatabaseSettings{config.databaseConnectString(), config.redactedDsn(),
                                               config.statement_timeout_seconds});
    jobs::Queue queue(jobs::QueueSettings{config.redis_socket, config.redis_host, config.redis_port,
                                          config.redis_queue, config.redis_timeout_ms});
    db::ProjectKeyStore project_keys(keyring, std::chrono::seconds(config.project_key_cache_seconds));
    Router router;
    registerRoutes(router);
    std::unique_ptr<KeystoneAuth> keystone;
    if (config.auth_mode == "keystone") keystone = std::make_unique<KeystoneAuth>(config);
    App app{config, keyring, database, queue, project_keys, router, keystone.get()};

    database.ping();  // connect early; failures are retried per request

    std::unique_ptr<FCGX_Request, FcgxRequestDeleter> fcgx(new FCGX_Request);
    if (FCGX_InitRequest(fcgx.get(), listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        core::log::error("worker_init_failed").kv("error", "FCGX_InitRequest");
        return 1;
    }
    core::log::info("worker_started");
    if (ready_fd >= 0) {
        const char byte = 'r';
        if (::write(ready_fd, &byte, 1) != 1) core::log::warning("worker_ready_signal_failed");
        ::close(ready_fd);
    }

    long handled = 0;
    while (!g_stop) {
        if (FCGX_Accept_r(fcgx.get()) < 0) {
            if (g_stop) break;
            if (errno == EINTR) continue;
            core::log::error("accept_failed").kv("error", std::strerror(errno));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        const auto started = std::chrono::steady_clock::now();
        Request request;
        Response response;
        try {
            readRequest(*fcgx, config, request);
            response = dispatch(app, request);
        } catch (const core::Error& e) {
            response = errorResponse(e);
        }
        writeResponse(*fcgx, response);
        FCGX_Finish_r(fcgx.get());
        // Request bodies may carry payloads and passphrases.
        core::wipeString(request.body);
        if (response.sensitive) core::wipeString(response.body);
        logRequest(request, response, started);
        ++handled;
    }
    project_keys.clear();
    core::log::info("worker_stopped").kv("requests", handled);
    return 0;
}

}  // namespace fcgi
