#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace db::admin {

using Flags = std::vector<std::pair<std::string, std::string>>;

// Program flags of barbican-admin beyond the shared configuration options.
std::vector<core::ExtraFlag> extraFlags();
// Help lines of the commands defined outside the schema commands.
std::string extraUsage();

// Runs one command given as words, e.g. {"db", "upgrade"}. Returns the exit
// status; throws core::Error or std::runtime_error on failure.
int runCommand(const core::Config& config, const std::vector<std::string>& words, const Flags& flags);

}  // namespace db::admin
