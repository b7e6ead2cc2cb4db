// libFuzzer target: stored payload ciphertext and wrapped project keys, as
// read back from the database. The input is the stored bytes, which are split
// and decrypted with fixed keys. Malformed input must end in core::Error.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/crypto.h"
#include "core/error.h"
#include "core/keyring.h"

namespace {

CryptoPP::SecByteBlock fixedKey(std::uint8_t fill) {
    CryptoPP::SecByteBlock key(32);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(fill + i);
    return key;
}

const core::Keyring& keyring() {
    static const core::Keyring instance(core::MasterKey::fromBytes(fixedKey(0x40)));
    return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view stored(reinterpret_cast<const char*>(data), size);

    if (const auto parts = core::parseStoredCiphertext(stored)) {
        const auto inside = [&](std::string_view part) {
            return part.data() >= stored.data() && part.data() + part.size() <= stored.data() + stored.size();
        };
        if (!inside(parts->project_key_id) || !inside(parts->sealed)) __builtin_trap();
        if (parts->project_key_id.empty() || parts->sealed.size() < core::kGcmOverhead) __builtin_trap();
    }

    static const CryptoPP::SecByteBlock project_key = fixedKey(0x10);
    const core::PayloadBinding binding{"6f1d3c1e-8a2b-4c5d-9e0f-1a2b3c4d5e6f", "p-fuzz", "text/plain"};
    try {
        core::decryptPayload(project_key, binding, stored);
    } catch (const core::Error&) {
    }
    try {
        keyring().unwrapProjectKey(stored, "p-fuzz");
    } catch (const core::Error&) {
    }
    try {
        core::Keyring::wrappingKeyId(stored);
    } catch (const core::Error&) {
    }
    return 0;
}
