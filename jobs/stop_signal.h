#pragma once

#include <chrono>

namespace jobs {

// Makes SIGTERM and SIGINT set a stop flag instead of ending the process, so
// the job-runner can finish the order in hand first.
void installStopHandlers();

// Whether SIGTERM or SIGINT arrived since installStopHandlers().
bool stopRequested();

// Asks every thread to stop, as SIGTERM does.
void requestStop();

// Sleeps for `duration`, returning early once a stop is requested.
void sleepUnlessStopped(std::chrono::milliseconds duration);

}  // namespace jobs
