#pragma once

// Random numbers, UUIDs and AES-256-GCM sealing. Key material is passed in
// CryptoPP::SecByteBlock, which zeroes its buffer when it is released.

#include <cryptopp/cryptlib.h>
#include <cryptopp/secblock.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace core {

inline constexpr std::size_t kGcmKeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
// Size of sealGcm output beyond the plaintext: nonce plus tag.
inline constexpr std::size_t kGcmOverhead = kGcmNonceSize + kGcmTagSize;

// Returns the calling thread's random pool (a CryptoPP::AutoSeededRandomPool
// seeded from the operating system). The pool is created on first use and
// created again, with a fresh seed, after reseedAfterFork() or when the
// process id differs from the one that created it.
CryptoPP::RandomNumberGenerator& threadRng();

// Makes every thread's pool seed itself again before its next use. Call it in
// a child process right after fork(). A fork is also detected without this
// call, through a pthread_atfork handler and a process id check.
void reseedAfterFork();

// Fills `out` with `n` random bytes from threadRng().
void fillRandom(std::uint8_t* out, std::size_t n);

// Returns a block of `n` random bytes, suitable as a symmetric key.
CryptoPP::SecByteBlock randomBlock(std::size_t n);

// Returns a random (version 4) UUID in canonical lower-case form,
// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string newUuidV4();

// Encrypts `plaintext` with AES-256-GCM under a fresh random 96-bit nonce and
// authenticates `associated_data` with it. Returns nonce || ciphertext || tag
// (binary, kGcmOverhead bytes longer than the plaintext). Throws
// core::Error(Internal) if the key is not kGcmKeySize bytes.
std::string sealGcm(const CryptoPP::SecByteBlock& key, std::string_view associated_data,
                    const std::uint8_t* plaintext, std::size_t n);

// Reverses sealGcm. Throws core::Error(Internal, "Decryption failed.") on any
// failure: input too short, wrong key, wrong associated data or altered bytes.
// The error does not reveal which of these happened.
CryptoPP::SecByteBlock openGcm(const CryptoPP::SecByteBlock& key, std::string_view associated_data,
                               std::string_view sealed);

// Overwrites the whole buffer of `text` with zeros and empties it. Use it on a
// std::string that held key material or plaintext before it is released.
void wipeString(std::string& text);

// Returns the lower-case hexadecimal form of `n` bytes.
std::string toHex(const std::uint8_t* data, std::size_t n);

}  // namespace core
