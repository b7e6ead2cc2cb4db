#pragma once

// Key hierarchy: a master key (from a file) wraps one key per project, and a
// project key encrypts the secret payloads of that project.

#include <cryptopp/secblock.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

inline constexpr std::size_t kMasterKeySize = 32;
inline constexpr std::size_t kProjectKeySize = 32;
// Length of MasterKey::id(): hexadecimal characters.
inline constexpr std::size_t kMasterKeyIdSize = 16;

// A 32-byte AES-256 key that wraps project keys.
class MasterKey {
public:
    // Loads the key from `path`. The file must be a regular file without any
    // group or other permission bits (mode & 077 == 0) and contain either
    // exactly 32 raw bytes or the base64 text of 32 bytes, optionally followed
    // by one newline. Throws core::Error(Internal) naming the path (and the
    // mode, if that is wrong) but never the content.
    static MasterKey loadFile(const std::string& path);

    // Writes a new random key to `path` as base64 text and a newline, with
    // mode 0600. Throws core::Error(Internal) if the file exists or cannot be
    // written.
    static void generateFile(const std::string& path);

    // Wraps existing key bytes. Throws core::Error(Internal) unless `key` has
    // kMasterKeySize bytes.
    static MasterKey fromBytes(CryptoPP::SecByteBlock key);

    const CryptoPP::SecByteBlock& key() const noexcept { return key_; }

    // Stable identifier of kMasterKeyIdSize lower-case hex characters: the
    // start of SHA-256 over a fixed label and the key, so it does not reveal
    // the key.
    const std::string& id() const noexcept { return id_; }

private:
    explicit MasterKey(CryptoPP::SecByteBlock key);

    CryptoPP::SecByteBlock key_;
    std::string id_;
};

// The current master key, which wraps new project keys, plus earlier master
// keys that can still unwrap project keys wrapped before a rotation.
class Keyring {
public:
    explicit Keyring(MasterKey current, std::vector<MasterKey> previous = {});

    const MasterKey& current() const noexcept { return current_; }

    // Wraps a kProjectKeySize-byte project key under the current master key.
    // Output: format byte 0x01 || master key id (16 ASCII characters) ||
    // sealGcm(...) with associated data
    // "barbican-project-key/v1|<project_id>|<master key id>". Throws
    // core::Error(Internal) unless `project_key` has kProjectKeySize bytes.
    std::string wrapProjectKey(const CryptoPP::SecByteBlock& project_key, std::string_view project_id) const;

    // Reverses wrapProjectKey with the current or a previous master key,
    // chosen by the id inside the blob. Throws core::Error(Internal,
    // "Decryption failed.") if the blob is malformed, names an unknown master
    // key, belongs to another project or fails authentication.
    CryptoPP::SecByteBlock unwrapProjectKey(std::string_view wrapped, std::string_view project_id) const;

    // Returns the id of the master key that wrapped `wrapped`, so that key
    // rotation can find blobs not yet under the current key. Throws
    // core::Error(Internal) if the blob is malformed.
    static std::string wrappingKeyId(std::string_view wrapped);

    // Returns kProjectKeySize random bytes.
    static CryptoPP::SecByteBlock newProjectKey();

private:
    const MasterKey* findMasterKey(std::string_view id) const;

    MasterKey current_;
    std::vector<MasterKey> previous_;
};

// Fields bound to a stored payload through the GCM associated data, so that
// ciphertext copied to another secret, project or content type fails to decrypt.
struct PayloadBinding {
    std::string secret_id;
    std::string project_id;
    std::string content_type;
};

// Parts of a stored payload, as views into the stored bytes.
struct StoredCiphertext {
    std::uint8_t version = 0;
    std::string_view project_key_id;
    std::string_view sealed;  // nonce || ciphertext || tag
};

// Encrypts a payload under a project key. Stored format v1: byte 0x01 ||
// uint8 length of project_key_id || project_key_id || sealGcm(...) with
// associated data "barbican-payload/v1|" followed by secret_id, project_id,
// content_type and project_key_id, each written as "<length>:<bytes>".
// Throws core::Error(InvalidInput) if project_key_id is empty or longer than
// 255 bytes.
std::string encryptPayload(const CryptoPP::SecByteBlock& project_key, std::string_view project_key_id,
                           const PayloadBinding& binding, const std::uint8_t* data, std::size_t n);

// Reverses encryptPayload. Throws core::Error(Internal, "Decryption failed.")
// on any failure and does not reveal which check failed.
CryptoPP::SecByteBlock decryptPayload(const CryptoPP::SecByteBlock& project_key, const PayloadBinding& binding,
                                      std::string_view stored);

// Splits stored payload bytes without decrypting them. Returns std::nullopt
// unless the version is 1, the key id is non-empty and fits, and at least a
// nonce and a tag follow it. Reads only inside `stored`.
std::optional<StoredCiphertext> parseStoredCiphertext(std::string_view stored);

}  // namespace core
