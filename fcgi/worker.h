#pragma once

#include "core/config.h"
#include "core/keyring.h"

namespace fcgi {

// Runs one worker process: opens its own PostgreSQL and Redis connections,
// then accepts FastCGI requests on `listen_fd` until SIGTERM. `ready_fd`, if
// not -1, receives one byte once the worker accepts requests. Returns the
// process exit status.
int runWorker(const core::Config& config, const core::Keyring& keyring, int listen_fd, int ready_fd);

}  // namespace fcgi
