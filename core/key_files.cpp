#include "core/key_files.h"

namespace core {

Keyring loadKeyring(const Config& config) {
    std::vector<MasterKey> previous;
    for (const auto& path : config.previous_master_key_files) previous.push_back(MasterKey::loadFile(path));
    return Keyring(MasterKey::loadFile(config.master_key_file), std::move(previous));
}

}  // namespace core
