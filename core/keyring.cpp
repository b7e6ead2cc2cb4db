#include "core/keyring.h"

#include "core/crypto.h"
#include "core/error.h"

#include <cryptopp/base64.h>
#include <cryptopp/filters.h>
#include <cryptopp/sha.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace core {

namespace {

constexpr std::uint8_t kWrappedFormatV1 = 0x01;
constexpr std::uint8_t kPayloadFormatV1 = 0x01;
constexpr std::string_view kMasterKeyIdLabel = "barbican-master-key-id/v1";
constexpr std::string_view kProjectKeyAdPrefix = "barbican-project-key/v1|";
constexpr std::string_view kPayloadAdPrefix = "barbican-payload/v1|";
constexpr std::size_t kBase64KeySize = 44;  // base64 text of 32 bytes, with one '=' of padding
constexpr std::size_t kWrappedHeaderSize = 1 + kMasterKeyIdSize;

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }

private:
    int fd_;
};

[[noreturn]] void throwKeyFileError(const std::string& path, const std::string& problem) {
    throw Error(ErrorKind::Internal, "Master key file '" + path + "' " + problem);
}

[[noreturn]] void throwDecryptionFailed(std::string log_detail = {}) {
    throw Error(ErrorKind::Internal, "Decryption failed.", std::move(log_detail));
}

bool isBase64Char(CryptoPP::byte c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Decodes the content of a key file: 32 raw bytes, or 44 base64 characters
// optionally followed by "\n". Returns an empty block for anything else.
CryptoPP::SecByteBlock decodeKeyFileContent(const CryptoPP::SecByteBlock& content, std::size_t size) {
    if (size == kMasterKeySize) {
        return CryptoPP::SecByteBlock(content.data(), size);
    }
    if (size == kBase64KeySize + 1 && content[kBase64KeySize] == '\n') {
        --size;
    }
    if (size != kBase64KeySize || content[kBase64KeySize - 1] != '=') {
        return CryptoPP::SecByteBlock();
    }
    for (std::size_t i = 0; i + 1 < kBase64KeySize; ++i) {
        if (!isBase64Char(content[i])) {
            return CryptoPP::SecByteBlock();
        }
    }

    CryptoPP::SecByteBlock key(kMasterKeySize);
    CryptoPP::Base64Decoder decoder(new CryptoPP::ArraySink(key.data(), key.size()));
    decoder.Put(content.data(), size);
    decoder.MessageEnd();
    return key;
}

bool isHexId(std::string_view id) {
    for (const char c : id) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

// Writes all `size` bytes, retrying after interrupts and short writes. Returns
// false with errno set on failure.
bool writeAll(int fd, const CryptoPP::byte* data, std::size_t size) {
    std::size_t offset = 0;
    while (offset < size) {
        const ssize_t count = ::write(fd, data + offset, size - offset);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            errno = count == 0 ? EIO : errno;
            return false;
        }
        offset += static_cast<std::size_t>(count);
    }
    return true;
}

std::string formatMode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// The project id may contain '|' because the master key id after it has a fixed length.
std::string projectKeyAssociatedData(std::string_view project_id, std::string_view master_key_id) {
    std::string ad(kProjectKeyAdPrefix);
    ad.append(project_id).append(1, '|').append(master_key_id);
    return ad;
}

// Appends a field as "<decimal length>:<bytes>", so no field value, whatever
// bytes it holds (project ids come from clients), can shift a boundary.
void appendField(std::string& ad, std::string_view value) {
    ad.append(std::to_string(value.size())).append(1, ':').append(value);
}

std::string payloadAssociatedData(const PayloadBinding& binding, std::string_view project_key_id) {
    std::string ad(kPayloadAdPrefix);
    appendField(ad, binding.secret_id);
    appendField(ad, binding.project_id);
    appendField(ad, binding.content_type);
    appendField(ad, project_key_id);
    return ad;
}

}  // namespace

MasterKey::MasterKey(CryptoPP::SecByteBlock key) : key_(std::move(key)) {
    CryptoPP::SHA256 hash;
    hash.Update(reinterpret_cast<const CryptoPP::byte*>(kMasterKeyIdLabel.data()), kMasterKeyIdLabel.size());
    hash.Update(key_.data(), key_.size());
    CryptoPP::byte digest[CryptoPP::SHA256::DIGESTSIZE];
    hash.Final(digest);
    id_ = toHex(digest, kMasterKeyIdSize / 2);
}

MasterKey MasterKey::fromBytes(CryptoPP::SecByteBlock key) {
    if (key.size() != kMasterKeySize) {
        throw Error(ErrorKind::Internal, "A master key must have 32 bytes.");
    }
    return MasterKey(std::move(key));
}

MasterKey MasterKey::loadFile(const std::string& path) {
    // O_NONBLOCK keeps open() from waiting on a FIFO, which fstat then rejects.
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == ENOENT) {
            throwKeyFileError(path, "does not exist.");
        }
        throwKeyFileError(path, std::string("cannot be opened: ") + std::strerror(error) + ".");
    }

    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) {
        throwKeyFileError(path, std::string("cannot be inspected: ") + std::strerror(errno) + ".");
    }
    if (!S_ISREG(status.st_mode)) {
        throwKeyFileError(path, "is not a regular file.");
    }
    if ((status.st_mode & 077) != 0) {
        throwKeyFileError(path, "has mode " + formatMode(status.st_mode) +
                                    ", which grants group or other access; run 'chmod 600' on it.");
    }

    // One spare byte shows whether the file is longer than any valid content.
    CryptoPP::SecByteBlock content(kBase64KeySize + 2);
    std::size_t size = 0;
    while (size < content.size()) {
        const ssize_t count = ::read(fd.get(), content.data() + size, content.size() - size);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count < 0) {
            throwKeyFileError(path, std::string("cannot be read: ") + std::strerror(errno) + ".");
        }
        if (count == 0) {
            break;
        }
        size += static_cast<std::size_t>(count);
    }

    CryptoPP::SecByteBlock key = decodeKeyFileContent(content, size);
    if (key.size() != kMasterKeySize) {
        throwKeyFileError(path,
                          "must contain exactly 32 raw bytes, or their base64 text optionally followed by a newline.");
    }
    return MasterKey(std::move(key));
}

void MasterKey::generateFile(const std::string& path) {
    FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == EEXIST) {
            throwKeyFileError(path, "already exists; remove it or choose another path.");
        }
        throwKeyFileError(path, std::string("cannot be created: ") + std::strerror(error) + ".");
    }

    const CryptoPP::SecByteBlock key = randomBlock(kMasterKeySize);
    CryptoPP::SecByteBlock text(kBase64KeySize + 1);
    CryptoPP::Base64Encoder encoder(new CryptoPP::ArraySink(text.data(), kBase64KeySize), false);
    encoder.Put(key.data(), key.size());
    encoder.MessageEnd();
    text[kBase64KeySize] = '\n';

    // Removes the partial file, so that a retry can create it again, and throws.
    const auto fail = [&path](const char* step) {
        const int error = errno;
        ::unlink(path.c_str());
        throwKeyFileError(path, std::string("cannot be ") + step + ": " + std::strerror(error) + ".");
    };
    // The umask may have cleared bits of 0600, so the mode is set again explicitly.
    if (::fchmod(fd.get(), 0600) != 0) {
        fail("protected with mode 0600");
    }
    if (!writeAll(fd.get(), text.data(), text.size()) || ::fsync(fd.get()) != 0) {
        fail("written");
    }
    if (::close(fd.release()) != 0) {
        fail("closed");
    }
}

Keyring::Keyring(MasterKey current, std::vector<MasterKey> previous)
    : current_(std::move(current)), previous_(std::move(previous)) {}

const MasterKey* Keyring::findMasterKey(std::string_view id) const {
    if (current_.id() == id) {
        return &current_;
    }
    for (const MasterKey& key : previous_) {
        if (key.id() == id) {
            return &key;
        }
    }
    return nullptr;
}

std::string Keyring::wrapProjectKey(const CryptoPP::SecByteBlock& project_key, std::string_view project_id) const {
    if (project_key.size() != kProjectKeySize) {
        throw Error(ErrorKind::Internal, "A project key must have 32 bytes.");
    }

    const std::string& master_key_id = current_.id();
    std::string wrapped(1, static_cast<char>(kWrappedFormatV1));
    wrapped.append(master_key_id);
    wrapped.append(sealGcm(current_.key(), projectKeyAssociatedData(project_id, master_key_id),
                           project_key.data(), project_key.size()));
    return wrapped;
}

CryptoPP::SecByteBlock Keyring::unwrapProjectKey(std::string_view wrapped, std::string_view project_id) const {
    if (wrapped.size() < kWrappedHeaderSize + kGcmOverhead ||
        static_cast<std::uint8_t>(wrapped[0]) != kWrappedFormatV1) {
        throwDecryptionFailed("wrapped project key has an unknown format");
    }
    const std::string_view master_key_id = wrapped.substr(1, kMasterKeyIdSize);
    const MasterKey* master_key = findMasterKey(master_key_id);
    if (master_key == nullptr) {
        // A valid id is a hash prefix, so it is safe to log. Other bytes are not copied into the log.
        throwDecryptionFailed(isHexId(master_key_id)
                                  ? "project key was wrapped by master key " + std::string(master_key_id) +
                                        ", which is not loaded"
                                  : std::string("wrapped project key has a malformed master key id"));
    }

    CryptoPP::SecByteBlock project_key = openGcm(
        master_key->key(), projectKeyAssociatedData(project_id, master_key_id), wrapped.substr(kWrappedHeaderSize));
    if (project_key.size() != kProjectKeySize) {
        throwDecryptionFailed();
    }
    return project_key;
}

std::string Keyring::wrappingKeyId(std::string_view wrapped) {
    if (wrapped.size() < kWrappedHeaderSize + kGcmOverhead ||
        static_cast<std::uint8_t>(wrapped[0]) != kWrappedFormatV1) {
        throw Error(ErrorKind::Internal, "Wrapped project key has an unknown format.");
    }
    return std::string(wrapped.substr(1, kMasterKeyIdSize));
}

CryptoPP::SecByteBlock Keyring::newProjectKey() {
    return randomBlock(kProjectKeySize);
}

std::string encryptPayload(const CryptoPP::SecByteBlock& project_key, std::string_view project_key_id,
                           const PayloadBinding& binding, const std::uint8_t* data, std::size_t n) {
    if (project_key_id.empty() || project_key_id.size() > 255) {
        throwInvalid("Project key id must have 1 to 255 bytes.");
    }

    std::string stored;
    stored.reserve(2 + project_key_id.size() + kGcmOverhead + n);
    stored.push_back(static_cast<char>(kPayloadFormatV1));
    stored.push_back(static_cast<char>(project_key_id.size()));
    stored.append(project_key_id);
    stored.append(sealGcm(project_key, payloadAssociatedData(binding, project_key_id), data, n));
    return stored;
}

CryptoPP::SecByteBlock decryptPayload(const CryptoPP::SecByteBlock& project_key, const PayloadBinding& binding,
                                      std::string_view stored) {
    const std::optional<StoredCiphertext> parsed = parseStoredCiphertext(stored);
    if (!parsed) {
        throwDecryptionFailed("stored payload has an unknown format");
    }
    return openGcm(project_key, payloadAssociatedData(binding, parsed->project_key_id), parsed->sealed);
}

std::optional<StoredCiphertext> parseStoredCiphertext(std::string_view stored) {
    if (stored.size() < 2 || static_cast<std::uint8_t>(stored[0]) != kPayloadFormatV1) {
        return std::nullopt;
    }
    const std::size_t key_id_size = static_cast<std::uint8_t>(stored[1]);
    const std::size_t remaining = stored.size() - 2;
    if (key_id_size == 0 || remaining < key_id_size || remaining - key_id_size < kGcmOverhead) {
        return std::nullopt;
    }

    StoredCiphertext parsed;
    parsed.version = kPayloadFormatV1;
    parsed.project_key_id = stored.substr(2, key_id_size);
    parsed.sealed = stored.substr(2 + key_id_size);
    return parsed;
}

}  // namespace core
