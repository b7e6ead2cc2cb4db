#include "core/asymmetric.h"

#include "core/crypto.h"
#include "core/error.h"

#include <cryptopp/aes.h>
#include <cryptopp/asn.h>
#include <cryptopp/base64.h>
#include <cryptopp/dsa.h>
#include <cryptopp/filters.h>
#include <cryptopp/modes.h>
#include <cryptopp/pwdbased.h>
#include <cryptopp/queue.h>
#include <cryptopp/rsa.h>
#include <cryptopp/sha.h>

#include <algorithm>
#include <cstring>

namespace core {

namespace {

constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kAes256KeySize = 32;
constexpr std::size_t kPemLineLength = 64;

// 1.2.840.113549.1.5.13, RFC 8018 appendix A.4
CryptoPP::OID oidPbes2() {
    return CryptoPP::OID(1) + 2 + 840 + 113549 + 1 + 5 + 13;
}

// 1.2.840.113549.1.5.12, RFC 8018 appendix A.2
CryptoPP::OID oidPbkdf2() {
    return CryptoPP::OID(1) + 2 + 840 + 113549 + 1 + 5 + 12;
}

// 1.2.840.113549.2.9, RFC 8018 appendix B.1.2
CryptoPP::OID oidHmacWithSha256() {
    return CryptoPP::OID(1) + 2 + 840 + 113549 + 2 + 9;
}

// 2.16.840.1.101.3.4.1.42, NIST CSOR
CryptoPP::OID oidAes256Cbc() {
    return CryptoPP::OID(2) + 16 + 840 + 1 + 101 + 3 + 4 + 1 + 42;
}

bool hasPassphrase(const std::optional<std::string_view>& passphrase) {
    return passphrase.has_value() && !passphrase->empty();
}

// Moves everything in `queue` into a block that wipes itself when released.
CryptoPP::SecByteBlock drainQueue(CryptoPP::ByteQueue& queue) {
    CryptoPP::SecByteBlock bytes(static_cast<std::size_t>(queue.MaxRetrievable()));
    queue.Get(bytes.data(), bytes.size());
    return bytes;
}

std::string drainQueueToString(CryptoPP::ByteQueue& queue) {
    std::string bytes(static_cast<std::size_t>(queue.MaxRetrievable()), '\0');
    queue.Get(reinterpret_cast<CryptoPP::byte*>(bytes.data()), bytes.size());
    return bytes;
}

// AlgorithmIdentifier { id-PBKDF2, PBKDF2-params { salt, iterationCount, prf hmacWithSHA256 } }.
// keyLength is omitted because AES-256-CBC fixes it.
void encodePbkdf2Algorithm(CryptoPP::BufferedTransformation& out, const CryptoPP::SecByteBlock& salt) {
    CryptoPP::DERSequenceEncoder algorithm(out);
    oidPbkdf2().DEREncode(algorithm);

    CryptoPP::DERSequenceEncoder params(algorithm);
    CryptoPP::DEREncodeOctetString(params, salt);
    CryptoPP::DEREncodeUnsigned<CryptoPP::word32>(params, kPbkdf2Iterations);

    CryptoPP::DERSequenceEncoder prf(params);
    oidHmacWithSha256().DEREncode(prf);
    CryptoPP::DEREncodeNull(prf);
    prf.MessageEnd();

    params.MessageEnd();
    algorithm.MessageEnd();
}

// AlgorithmIdentifier { id-PBES2, PBES2-params { keyDerivationFunc, encryptionScheme aes256-CBC(iv) } }.
void encodePbes2Algorithm(CryptoPP::BufferedTransformation& out, const CryptoPP::SecByteBlock& salt,
                          const CryptoPP::SecByteBlock& iv) {
    CryptoPP::DERSequenceEncoder algorithm(out);
    oidPbes2().DEREncode(algorithm);

    CryptoPP::DERSequenceEncoder params(algorithm);
    encodePbkdf2Algorithm(params, salt);

    CryptoPP::DERSequenceEncoder scheme(params);
    oidAes256Cbc().DEREncode(scheme);
    CryptoPP::DEREncodeOctetString(scheme, iv);
    scheme.MessageEnd();

    params.MessageEnd();
    algorithm.MessageEnd();
}

// Returns the PKCS#8 form of a private key: PEM for RSA, DER for DSA.
template <class PrivateKey>
CryptoPP::SecByteBlock encodePrivateKey(const PrivateKey& key, const std::optional<std::string_view>& passphrase,
                                        bool pem) {
    CryptoPP::ByteQueue queue;
    key.DEREncode(queue);
    CryptoPP::SecByteBlock der = drainQueue(queue);
    const bool encrypted = hasPassphrase(passphrase);
    if (encrypted) {
        der = encryptPrivateKeyInfo(der, *passphrase);
    }
    if (!pem) {
        return der;
    }
    return encodePem(encrypted ? "ENCRYPTED PRIVATE KEY" : "PRIVATE KEY", der.data(), der.size());
}

}  // namespace

CryptoPP::SecByteBlock encryptPrivateKeyInfo(const CryptoPP::SecByteBlock& private_key_info,
                                             std::string_view passphrase) {
    const CryptoPP::SecByteBlock salt = randomBlock(kSaltSize);
    const CryptoPP::SecByteBlock iv = randomBlock(CryptoPP::AES::BLOCKSIZE);

    CryptoPP::SecByteBlock derived_key(kAes256KeySize);
    CryptoPP::PKCS5_PBKDF2_HMAC<CryptoPP::SHA256> kdf;
    kdf.DeriveKey(derived_key.data(), derived_key.size(), 0, reinterpret_cast<const CryptoPP::byte*>(passphrase.data()),
                  passphrase.size(), salt.data(), salt.size(), kPbkdf2Iterations);

    // PKCS#7 padding always adds 1 to 16 bytes.
    const std::size_t block = CryptoPP::AES::BLOCKSIZE;
    CryptoPP::SecByteBlock ciphertext((private_key_info.size() / block + 1) * block);
    CryptoPP::CBC_Mode<CryptoPP::AES>::Encryption cbc(derived_key.data(), derived_key.size(), iv.data());
    CryptoPP::ArraySource source(
        private_key_info.data(), private_key_info.size(), true,
        new CryptoPP::StreamTransformationFilter(cbc, new CryptoPP::ArraySink(ciphertext.data(), ciphertext.size())));

    CryptoPP::ByteQueue queue;
    CryptoPP::DERSequenceEncoder info(queue);
    encodePbes2Algorithm(info, salt, iv);
    CryptoPP::DEREncodeOctetString(info, ciphertext);
    info.MessageEnd();
    return drainQueue(queue);
}

CryptoPP::SecByteBlock encodePem(std::string_view label, const std::uint8_t* der, std::size_t n) {
    const std::size_t base64_size = 4 * ((n + 2) / 3);
    CryptoPP::SecByteBlock base64(base64_size);
    CryptoPP::Base64Encoder encoder(new CryptoPP::ArraySink(base64.data(), base64.size()), false);
    encoder.Put(der, n);
    encoder.MessageEnd();

    const std::string begin = "-----BEGIN " + std::string(label) + "-----\n";
    const std::string end = "-----END " + std::string(label) + "-----\n";
    const std::size_t line_count = (base64_size + kPemLineLength - 1) / kPemLineLength;
    CryptoPP::SecByteBlock pem(begin.size() + base64_size + line_count + end.size());

    CryptoPP::byte* out = pem.data();
    std::memcpy(out, begin.data(), begin.size());
    out += begin.size();
    for (std::size_t offset = 0; offset < base64_size; offset += kPemLineLength) {
        const std::size_t length = std::min(kPemLineLength, base64_size - offset);
        std::memcpy(out, base64.data() + offset, length);
        out += length;
        *out++ = '\n';
    }
    std::memcpy(out, end.data(), end.size());
    return pem;
}

KeyPairPem generateRsa(unsigned bits, const std::optional<std::string_view>& passphrase) {
    if (bits < 1024 || bits > 4096 || bits % 8 != 0) {
        throwInvalid("RSA key size must be a multiple of 8 from 1024 to 4096 bits, got " + std::to_string(bits) +
                     ".");
    }

    CryptoPP::RSA::PrivateKey private_key;
    private_key.Initialize(threadRng(), bits, CryptoPP::Integer(65537));
    const CryptoPP::RSA::PublicKey public_key(private_key);

    KeyPairPem pair;
    pair.private_key = encodePrivateKey(private_key, passphrase, true);

    CryptoPP::ByteQueue queue;
    public_key.DEREncode(queue);
    const CryptoPP::SecByteBlock public_der = drainQueue(queue);
    const CryptoPP::SecByteBlock public_pem = encodePem("PUBLIC KEY", public_der.data(), public_der.size());
    pair.public_key.assign(reinterpret_cast<const char*>(public_pem.data()), public_pem.size());
    return pair;
}

KeyPairPem generateDsa(unsigned bits, const std::optional<std::string_view>& passphrase) {
    if (bits != 1024 && bits != 2048 && bits != 3072) {
        throwInvalid("DSA key size must be 1024, 2048 or 3072 bits, got " + std::to_string(bits) + ".");
    }

    CryptoPP::DSA::PrivateKey private_key;
    private_key.GenerateRandomWithKeySize(threadRng(), bits);
    CryptoPP::DSA::PublicKey public_key;
    private_key.MakePublicKey(public_key);

    KeyPairPem pair;
    pair.private_key = encodePrivateKey(private_key, passphrase, false);

    CryptoPP::ByteQueue queue;
    public_key.DEREncode(queue);
    pair.public_key = drainQueueToString(queue);
    return pair;
}

}  // namespace core
