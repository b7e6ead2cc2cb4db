#pragma once

namespace jobs {

// Entry point of barbican-job-runner: parses options, then runs the daemon
// loop or one of the operator modes. Returns the exit status.
int runnerMain(int argc, char** argv);

}  // namespace jobs
