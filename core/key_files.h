#pragma once

#include "core/config.h"
#include "core/keyring.h"

namespace core {

// Loads crypto.master_key_file and crypto.previous_master_key_files into a
// keyring. Throws core::Error naming the file that is missing, unreadable,
// of the wrong size or readable by group or others.
Keyring loadKeyring(const Config& config);

}  // namespace core
