// Key orders: a random symmetric key.
#include <array>

#include "core/crypto.h"
#include "jobs/tasks/order_task.h"
#include "jobs/tasks/task_support.h"

namespace jobs {
namespace {

// Algorithms and key sizes the reference's software backend generates.
constexpr std::array<std::string_view, 6> kSymmetricAlgorithms = {"aes",        "des",        "hmacsha1",
                                                                   "hmacsha256", "hmacsha384", "hmacsha512"};
constexpr std::array<int, 4> kSymmetricBits = {64, 128, 192, 256};

bool isSymmetric(const std::string& algorithm_lower) {
    for (std::string_view known : kSymmetricAlgorithms) {
        if (algorithm_lower == known) return true;
    }
    return false;
}

// XTS keys are two keys of the cipher, so the accepted sizes double.
bool isSupportedSize(int bit_length, const std::optional<std::string>& mode) {
    const int factor = mode && lowerAscii(*mode) == "xts" ? 2 : 1;
    if (bit_length % factor != 0) return false;
    for (int bits : kSymmetricBits) {
        if (bit_length / factor == bits) return true;
    }
    return false;
}

}  // namespace

OrderResult runKeyOrder(const OrderSpec& spec) {
    const std::string algorithm = lowerAscii(spec.algorithm);
    requireKnownAlgorithm(algorithm);
    if (!isSymmetric(algorithm)) throw OrderFailure(400, kAlgorithmNotSupportedReason);
    // The reference reports a size no backend supports as a server failure.
    if (!isSupportedSize(spec.bit_length, spec.mode)) throw OrderFailure(500, kGenerationFailureReason);

    OrderResult result;
    result.secrets.push_back(newSecret(spec, "symmetric", core::randomBlock(static_cast<std::size_t>(spec.bit_length) / 8)));
    return result;
}

}  // namespace jobs
