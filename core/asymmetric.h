#pragma once

// RSA and DSA key pair generation for asymmetric orders, with the private key
// in PKCS#8 (RFC 5958), optionally encrypted with PBES2 (RFC 8018), and the
// public key as X.509 SubjectPublicKeyInfo.

#include <cryptopp/secblock.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace core {

// PBKDF2-HMAC-SHA256 iteration count used to encrypt private keys.
inline constexpr unsigned kPbkdf2Iterations = 100000;

// A generated key pair. The encoding depends on the algorithm: see
// generateRsa and generateDsa.
struct KeyPairPem {
    CryptoPP::SecByteBlock private_key;
    std::string public_key;
};

// Generates an RSA key pair with public exponent 65537. `bits` must be a
// multiple of 8 from 1024 to 4096, else core::Error(InvalidInput) is thrown.
// private_key is PEM text: "PRIVATE KEY" (PKCS#8 PrivateKeyInfo) or, when a
// non-empty passphrase is given, "ENCRYPTED PRIVATE KEY" (EncryptedPrivateKeyInfo).
// public_key is PEM text "PUBLIC KEY" (SubjectPublicKeyInfo).
// An empty passphrase leaves the key unencrypted, as Barbican does.
KeyPairPem generateRsa(unsigned bits, const std::optional<std::string_view>& passphrase);

// Generates a DSA key pair. `bits` is the size of the prime p and must be
// 1024, 2048 or 3072 (FIPS 186-3), else core::Error(InvalidInput) is thrown.
// Both keys are binary DER, not PEM: private_key is a PKCS#8 PrivateKeyInfo or,
// with a non-empty passphrase, an EncryptedPrivateKeyInfo, and public_key is a
// SubjectPublicKeyInfo.
KeyPairPem generateDsa(unsigned bits, const std::optional<std::string_view>& passphrase);

// Encrypts a DER PrivateKeyInfo into a DER EncryptedPrivateKeyInfo: PBES2 with
// PBKDF2-HMAC-SHA256 (random 16-byte salt, kPbkdf2Iterations) and AES-256-CBC
// (random IV).
CryptoPP::SecByteBlock encryptPrivateKeyInfo(const CryptoPP::SecByteBlock& private_key_info,
                                             std::string_view passphrase);

// Encodes DER bytes as PEM with the given label ("PRIVATE KEY", ...), in
// base64 lines of 64 characters, each ending with "\n".
CryptoPP::SecByteBlock encodePem(std::string_view label, const std::uint8_t* der, std::size_t n);

}  // namespace core
