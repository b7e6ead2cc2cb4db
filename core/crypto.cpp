#include "core/crypto.h"

#include "core/error.h"

#include <cryptopp/aes.h>
#include <cryptopp/gcm.h>
#include <cryptopp/misc.h>
#include <cryptopp/osrng.h>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace core {

namespace {

// Bumped in every child process by the pthread_atfork handler and by
// reseedAfterFork(). A thread whose pool carries an older value seeds a new one.
std::atomic<std::uint64_t> g_rng_generation{1};
std::once_flag g_atfork_once;

void bumpRngGeneration() {
    // An atomic increment is async-signal-safe, as the child handler requires.
    g_rng_generation.fetch_add(1, std::memory_order_relaxed);
}

struct ThreadRngState {
    std::unique_ptr<CryptoPP::AutoSeededRandomPool> pool;
    std::uint64_t generation = 0;
    pid_t pid = 0;
};

thread_local ThreadRngState t_rng;

const CryptoPP::byte* asBytes(std::string_view text) {
    return reinterpret_cast<const CryptoPP::byte*>(text.data());
}

[[noreturn]] void throwDecryptionFailed() {
    throw Error(ErrorKind::Internal, "Decryption failed.");
}

}  // namespace

CryptoPP::RandomNumberGenerator& threadRng() {
    std::call_once(g_atfork_once, [] { pthread_atfork(nullptr, nullptr, bumpRngGeneration); });

    const std::uint64_t generation = g_rng_generation.load(std::memory_order_relaxed);
    const pid_t pid = getpid();
    if (!t_rng.pool || t_rng.generation != generation || t_rng.pid != pid) {
        // Destroy the old pool first so its state is wiped before a new seed is read.
        t_rng.pool.reset();
        t_rng.pool = std::make_unique<CryptoPP::AutoSeededRandomPool>();
        t_rng.generation = generation;
        t_rng.pid = pid;
    }
    return *t_rng.pool;
}

void reseedAfterFork() {
    bumpRngGeneration();
    t_rng.pool.reset();
}

void fillRandom(std::uint8_t* out, std::size_t n) {
    if (n == 0) {
        return;
    }
    threadRng().GenerateBlock(out, n);
}

CryptoPP::SecByteBlock randomBlock(std::size_t n) {
    CryptoPP::SecByteBlock block(n);
    fillRandom(block.data(), block.size());
    return block;
}

std::string newUuidV4() {
    std::uint8_t bytes[16];
    fillRandom(bytes, sizeof bytes);
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant

    const std::string hex = toHex(bytes, sizeof bytes);
    std::string uuid;
    uuid.reserve(36);
    uuid.append(hex, 0, 8).append(1, '-');
    uuid.append(hex, 8, 4).append(1, '-');
    uuid.append(hex, 12, 4).append(1, '-');
    uuid.append(hex, 16, 4).append(1, '-');
    uuid.append(hex, 20, 12);
    return uuid;
}

std::string sealGcm(const CryptoPP::SecByteBlock& key, std::string_view associated_data,
                    const std::uint8_t* plaintext, std::size_t n) {
    if (key.size() != kGcmKeySize) {
        throw Error(ErrorKind::Internal, "Encryption failed.",
                    "AES-256-GCM key has " + std::to_string(key.size()) + " bytes, expected 32");
    }

    std::string sealed(kGcmOverhead + n, '\0');
    auto* nonce = reinterpret_cast<CryptoPP::byte*>(sealed.data());
    CryptoPP::byte* ciphertext = nonce + kGcmNonceSize;
    CryptoPP::byte* tag = ciphertext + n;
    fillRandom(nonce, kGcmNonceSize);

    CryptoPP::GCM<CryptoPP::AES>::Encryption encryption;
    encryption.SetKeyWithIV(key.data(), key.size(), nonce, kGcmNonceSize);
    encryption.EncryptAndAuthenticate(ciphertext, tag, kGcmTagSize, nonce, kGcmNonceSize,
                                      asBytes(associated_data), associated_data.size(), plaintext, n);
    return sealed;
}

CryptoPP::SecByteBlock openGcm(const CryptoPP::SecByteBlock& key, std::string_view associated_data,
                               std::string_view sealed) {
    if (key.size() != kGcmKeySize || sealed.size() < kGcmOverhead) {
        throwDecryptionFailed();
    }

    const std::size_t n = sealed.size() - kGcmOverhead;
    const CryptoPP::byte* nonce = asBytes(sealed);
    const CryptoPP::byte* ciphertext = nonce + kGcmNonceSize;
    const CryptoPP::byte* tag = ciphertext + n;

    // On failure the block may contain unverified plaintext, which its destructor wipes.
    CryptoPP::SecByteBlock plaintext(n);
    bool verified = false;
    try {
        CryptoPP::GCM<CryptoPP::AES>::Decryption decryption;
        decryption.SetKeyWithIV(key.data(), key.size(), nonce, kGcmNonceSize);
        verified = decryption.DecryptAndVerify(plaintext.data(), tag, kGcmTagSize, nonce, kGcmNonceSize,
                                               asBytes(associated_data), associated_data.size(), ciphertext,
                                               n);
    } catch (const CryptoPP::Exception&) {
        verified = false;
    }
    if (!verified) {
        throwDecryptionFailed();
    }
    return plaintext;
}

void wipeString(std::string& text) {
    // Grow to the capacity so that bytes left from an earlier, longer value are wiped too.
    text.resize(text.capacity());
    CryptoPP::SecureWipeBuffer(reinterpret_cast<CryptoPP::byte*>(text.data()), text.size());
    text.clear();
}

std::string toHex(const std::uint8_t* data, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        hex.push_back(kDigits[data[i] >> 4]);
        hex.push_back(kDigits[data[i] & 0x0f]);
    }
    return hex;
}

}  // namespace core
