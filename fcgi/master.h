#pragma once

#include <string>
#include <vector>

namespace fcgi {

// Runs the pre-forking master until SIGTERM or SIGINT: takes the listening
// socket from systemd (LISTEN_FDS) or binds it, forks the workers, restarts
// a worker that dies (with back-off), and on SIGHUP reads the configuration
// again and replaces the workers one at a time. `argv` is kept to parse the
// configuration again on reload. Returns the process exit status.
int runMaster(int argc, char** argv);

}  // namespace fcgi
