// FastCGI hello world for the benchmark floor: WORKERS pre-forked processes
// accept on one unix socket and respond to every request with a fixed JSON body
// of about the size of a secret's metadata. It measures what nginx and
// libfcgi cost without any application work.
//
// Usage: hello_fcgi SOCKET WORKERS
// Runs until SIGTERM or SIGINT, which it passes on to the workers.

#include <fcgiapp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr char kBody[] =
    "{\"created\": \"2024-01-01T00:00:00.000000\", \"updated\": \"2024-01-01T00:00:00.000000\", "
    "\"status\": \"ACTIVE\", \"name\": \"bench-00042\", \"secret_type\": \"opaque\", \"expiration\": null, "
    "\"algorithm\": null, \"bit_length\": null, \"mode\": null, \"creator_id\": null, "
    "\"content_types\": {\"default\": \"application/octet-stream\"}, "
    "\"secret_ref\": \"http://127.0.0.1/v1/secrets/00000000-0000-4000-8000-000000000000\"}";

volatile sig_atomic_t g_stop = 0;

void onStop(int) { g_stop = 1; }

int serve(int listen_fd) {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    FCGX_Request request;
    if (FCGX_InitRequest(&request, listen_fd, 0) != 0) return 1;
    const std::string head = "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                             std::to_string(sizeof kBody - 1) + "\r\n\r\n";
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(head.data(), static_cast<int>(head.size()), request.out);
        FCGX_PutStr(kBody, static_cast<int>(sizeof kBody - 1), request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: hello_fcgi SOCKET WORKERS\n");
        return 2;
    }
    const char* socket_path = argv[1];
    const int workers = std::atoi(argv[2]);
    if (workers < 1) {
        std::fprintf(stderr, "hello_fcgi: invalid WORKERS '%s': expected a positive number\n", argv[2]);
        return 2;
    }
    if (FCGX_Init() != 0) return 1;
    unlink(socket_path);
    const std::string address = socket_path;
    const int listen_fd = FCGX_OpenSocket(address.c_str(), 1024);
    if (listen_fd < 0) {
        std::fprintf(stderr, "hello_fcgi: failed to listen on %s: %s\n", socket_path, std::strerror(errno));
        return 1;
    }
    chmod(socket_path, 0660);

    std::vector<pid_t> children;
    for (int i = 0; i < workers; ++i) {
        const pid_t pid = fork();
        if (pid == 0) return serve(listen_fd);
        if (pid > 0) children.push_back(pid);
    }

    struct sigaction action {};
    action.sa_handler = onStop;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    while (!g_stop) pause();
    for (pid_t child : children) kill(child, SIGTERM);
    for (pid_t child : children) waitpid(child, nullptr, 0);
    unlink(socket_path);
    return 0;
}
