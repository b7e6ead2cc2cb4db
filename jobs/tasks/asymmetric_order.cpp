// Asymmetric orders: an RSA or DSA key pair in a container.
#include <array>

#include "core/asymmetric.h"
#include "core/crypto.h"
#include "jobs/tasks/order_task.h"
#include "jobs/tasks/task_support.h"

namespace jobs {
namespace {

// Key sizes the reference's software backend generates for rsa and dsa.
constexpr std::array<int, 3> kAsymmetricBits = {1024, 2048, 4096};

bool isSupportedSize(int bit_length) {
    for (int bits : kAsymmetricBits) {
        if (bit_length == bits) return true;
    }
    return false;
}

CryptoPP::SecByteBlock bytesOf(std::string_view text) {
    return CryptoPP::SecByteBlock(reinterpret_cast<const CryptoPP::byte*>(text.data()), text.size());
}

core::KeyPairPem generatePair(const std::string& algorithm, int bit_length,
                              const std::optional<std::string_view>& passphrase) {
    if (algorithm == "rsa") return core::generateRsa(static_cast<unsigned>(bit_length), passphrase);
    // NOTE: core::generateDsa stops at 3072-bit primes (FIPS 186-3), so a
    // 4096-bit DSA order, which the reference completes, ends in ERROR 500.
    if (bit_length == 4096) throw OrderFailure(500, kGenerationFailureReason);
    return core::generateDsa(static_cast<unsigned>(bit_length), passphrase);
}

}  // namespace

OrderResult runAsymmetricOrder(const OrderSpec& spec, const std::optional<std::string_view>& passphrase) {
    const std::string algorithm = lowerAscii(spec.algorithm);
    requireKnownAlgorithm(algorithm);
    if (algorithm != "rsa" && algorithm != "dsa") throw OrderFailure(400, kAlgorithmNotSupportedReason);
    // The reference reports a size no backend supports as a server failure.
    if (!isSupportedSize(spec.bit_length)) throw OrderFailure(500, kGenerationFailureReason);

    const bool with_passphrase = passphrase && !passphrase->empty();
    core::KeyPairPem pair = generatePair(algorithm, spec.bit_length, with_passphrase ? passphrase : std::nullopt);

    OrderResult result;
    result.secrets.push_back(newSecret(spec, "private", std::move(pair.private_key)));
    result.secrets.push_back(newSecret(spec, "public", bytesOf(pair.public_key)));
    if (with_passphrase) result.secrets.push_back(newSecret(spec, "passphrase", bytesOf(*passphrase)));

    db::ContainerRecord container;
    container.id = core::newUuidV4();
    container.project_id = spec.project_id;
    container.name = spec.name;
    container.type = algorithm;
    container.creator_id = spec.creator_id;
    container.secrets.emplace_back("private_key", result.secrets[0].record.id);
    container.secrets.emplace_back("public_key", result.secrets[1].record.id);
    if (with_passphrase) container.secrets.emplace_back("private_key_passphrase", result.secrets[2].record.id);
    result.container = std::move(container);
    return result;
}

}  // namespace jobs
