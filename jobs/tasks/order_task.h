#pragma once

// Order tasks: the generation step of an order, without any database or
// queue access, so tests can call them directly. The job-runner stores what
// a task returns (jobs/order_processor.h).

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret_rules.h"
#include "core/timestamp.h"
#include "db/container_writer.h"
#include "db/order_leases.h"
#include "db/secret_writer.h"

namespace jobs {

// error_reason texts of failed orders, as the reference server words them
// (the doubled period of the second one included).
inline constexpr std::string_view kAlgorithmNotSupportedReason =
    "Process TypeOrder issue seen - Requested algorithm is not supported.";
inline constexpr std::string_view kNoGeneratorReason =
    "Process TypeOrder issue seen - Secret generate supported plugin not found..";
inline constexpr std::string_view kGenerationFailureReason =
    "Process TypeOrder failure seen - please contact site administrator.";

// A failure caused by the order itself (an algorithm or size no generator
// supports). The order ends in ERROR with this status code ("400" or "500",
// as the reference server reports it) and reason; retrying cannot help.
class OrderFailure : public std::runtime_error {
public:
    OrderFailure(int status_code, std::string_view reason)
        : std::runtime_error(std::string(reason)), status_code_(status_code) {}
    int statusCode() const noexcept { return status_code_; }

private:
    int status_code_;
};

// The fields of an order that generation needs, read from its stored meta.
struct OrderSpec {
    std::string order_id;
    std::string project_id;
    std::optional<std::string> name;
    std::string algorithm;
    int bit_length = 0;
    std::optional<std::string> mode;
    std::optional<core::Timestamp> expiration;
    std::string payload_content_type = "application/octet-stream";
    std::optional<std::string> creator_id;
};

// Reads an OrderSpec from a claimed order's stored meta. Throws
// core::Error(Internal) when the meta is not a JSON object, lacks algorithm or
// bit_length, or has a field of the wrong type, which the API's validation
// rules out.
OrderSpec orderSpecOf(const db::ClaimedOrder& order);

// One secret to store, with a fresh id in record.id.
struct GeneratedSecret {
    db::SecretRecord record;
    core::SecretPayload payload;
};

// Resources an order produced. A key order produces one secret. An
// asymmetric order produces private key, public key and optionally
// passphrase secrets, plus the container that links them.
struct OrderResult {
    std::vector<GeneratedSecret> secrets;
    std::optional<db::ContainerRecord> container;
};

// Generates the random key of a key order: bit_length / 8 random bytes as a
// "symmetric" secret. Throws OrderFailure for an algorithm or size that the
// reference's software backend does not generate.
OrderResult runKeyOrder(const OrderSpec& spec);

// Generates the key pair of an asymmetric order (RSA as PEM, DSA as DER) and
// the container of type "rsa" or "dsa" that links the secrets. A non-empty
// passphrase encrypts the private key and is stored as a "passphrase" secret.
// Throws OrderFailure for an unsupported algorithm or size.
OrderResult runAsymmetricOrder(const OrderSpec& spec, const std::optional<std::string_view>& passphrase);

}  // namespace jobs
