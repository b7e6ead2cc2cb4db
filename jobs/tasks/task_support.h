#pragma once

// Helpers shared by the order tasks.

#include <cryptopp/secblock.h>

#include <string>
#include <string_view>

#include "jobs/tasks/order_task.h"

namespace jobs {

// ASCII lower case; algorithm and mode names are compared this way.
std::string lowerAscii(std::string_view text);

// Throws OrderFailure(400, kNoGeneratorReason) unless the lower-case
// algorithm is one the reference's secret stores know: aes, des, desede,
// hmacsha1/256/384/512, diffie_hellman, dsa, rsa, ec.
void requireKnownAlgorithm(const std::string& algorithm_lower);

// A secret of the order with a fresh id, the order's name, algorithm,
// bit_length, mode, expiration and creator, and `bytes` stored as the
// order's payload content type.
GeneratedSecret newSecret(const OrderSpec& spec, std::string secret_type, CryptoPP::SecByteBlock bytes);

}  // namespace jobs
