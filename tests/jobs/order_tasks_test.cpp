#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <string>

#include "core/error.h"
#include "jobs/operator_modes.h"
#include "jobs/order_processor.h"
#include "jobs/runner.h"
#include "jobs/tasks/order_task.h"

namespace {

jobs::OrderSpec spec(const std::string& algorithm, int bit_length, std::optional<std::string> mode = std::nullopt) {
    jobs::OrderSpec s;
    s.order_id = "6f1c2a4e-8b3d-4e5f-9a1b-2c3d4e5f6a7b";
    s.project_id = "p-unit";
    s.name = "unit-key";
    s.algorithm = algorithm;
    s.bit_length = bit_length;
    s.mode = std::move(mode);
    s.creator_id = "u-unit";
    return s;
}

std::string text(const CryptoPP::SecByteBlock& bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// The status code and reason of the OrderFailure that `run` throws.
template <typename Run>
std::pair<int, std::string> failureOf(Run run) {
    try {
        run();
    } catch (const jobs::OrderFailure& failure) {
        return {failure.statusCode(), failure.what()};
    }
    return {0, "no OrderFailure"};
}

db::ClaimedOrder claimed(const std::string& meta_json) {
    db::ClaimedOrder order;
    order.id = "6f1c2a4e-8b3d-4e5f-9a1b-2c3d4e5f6a7b";
    order.project_id = "p-unit";
    order.type = "key";
    order.meta_json = meta_json;
    order.creator_id = "u-unit";
    return order;
}

}  // namespace

TEST_CASE("key order random bytes", "[unit][orders]") {
    const jobs::OrderResult result = jobs::runKeyOrder(spec("aes", 256, "cbc"));
    REQUIRE(result.secrets.size() == 1);
    CHECK_FALSE(result.container);
    const jobs::GeneratedSecret& secret = result.secrets[0];
    CHECK(secret.payload.bytes.size() == 32);
    CHECK(secret.payload.content_type == "application/octet-stream");
    CHECK(secret.record.secret_type == "symmetric");
    CHECK(secret.record.name == std::optional<std::string>("unit-key"));
    CHECK(secret.record.algorithm == std::optional<std::string>("aes"));
    CHECK(secret.record.bit_length == std::optional<int>(256));
    CHECK(secret.record.mode == std::optional<std::string>("cbc"));
    CHECK(secret.record.creator_id == std::optional<std::string>("u-unit"));
    CHECK(secret.record.project_id == "p-unit");
    CHECK(secret.record.id.size() == 36);

    const jobs::OrderResult second = jobs::runKeyOrder(spec("aes", 256, "cbc"));
    CHECK(text(second.secrets[0].payload.bytes) != text(secret.payload.bytes));
    CHECK(second.secrets[0].record.id != secret.record.id);
}

TEST_CASE("key order supported sizes", "[unit][orders]") {
    CHECK(jobs::runKeyOrder(spec("des", 64)).secrets[0].payload.bytes.size() == 8);
    CHECK(jobs::runKeyOrder(spec("AES", 128)).secrets[0].payload.bytes.size() == 16);
    CHECK(jobs::runKeyOrder(spec("hmacsha512", 192)).secrets[0].payload.bytes.size() == 24);
    CHECK(jobs::runKeyOrder(spec("aes", 512, "XTS")).secrets[0].payload.bytes.size() == 64);
    CHECK(jobs::runKeyOrder(spec("aes", 128, "xts")).secrets[0].payload.bytes.size() == 16);
}

TEST_CASE("key order failures match the reference", "[unit][orders]") {
    const std::string failure(jobs::kGenerationFailureReason);
    const std::string not_supported(jobs::kAlgorithmNotSupportedReason);
    const std::string no_generator(jobs::kNoGeneratorReason);

    CHECK(failureOf([] { jobs::runKeyOrder(spec("aes", 512)); }) == std::make_pair(500, failure));
    CHECK(failureOf([] { jobs::runKeyOrder(spec("aes", 24)); }) == std::make_pair(500, failure));
    CHECK(failureOf([] { jobs::runKeyOrder(spec("aes", 136, "xts")); }) == std::make_pair(500, failure));
    CHECK(failureOf([] { jobs::runKeyOrder(spec("hmacsha256", 512)); }) == std::make_pair(500, failure));
    for (const char* algorithm : {"rsa", "dsa", "ec", "diffie_hellman", "desede", "DESede"}) {
        INFO(algorithm);
        CHECK(failureOf([&] { jobs::runKeyOrder(spec(algorithm, 256)); }) == std::make_pair(400, not_supported));
    }
    for (const char* algorithm : {"3des", "blowfish", "aes-256"}) {
        INFO(algorithm);
        CHECK(failureOf([&] { jobs::runKeyOrder(spec(algorithm, 256)); }) == std::make_pair(400, no_generator));
    }
}

TEST_CASE("asymmetric order rsa without passphrase", "[unit][orders]") {
    const jobs::OrderResult result = jobs::runAsymmetricOrder(spec("RSA", 1024), std::nullopt);
    REQUIRE(result.secrets.size() == 2);
    REQUIRE(result.container);
    CHECK(result.secrets[0].record.secret_type == "private");
    CHECK(result.secrets[1].record.secret_type == "public");
    CHECK(text(result.secrets[0].payload.bytes).rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
    CHECK(text(result.secrets[1].payload.bytes).rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
    CHECK(result.secrets[0].record.algorithm == std::optional<std::string>("RSA"));
    CHECK(result.secrets[0].record.bit_length == std::optional<int>(1024));

    const db::ContainerRecord& container = *result.container;
    CHECK(container.type == "rsa");
    CHECK(container.name == std::optional<std::string>("unit-key"));
    CHECK(container.creator_id == std::optional<std::string>("u-unit"));
    CHECK(container.project_id == "p-unit");
    REQUIRE(container.secrets.size() == 2);
    CHECK(container.secrets[0] == std::make_pair(std::string("private_key"), result.secrets[0].record.id));
    CHECK(container.secrets[1] == std::make_pair(std::string("public_key"), result.secrets[1].record.id));
}

TEST_CASE("asymmetric order rsa with passphrase", "[unit][orders]") {
    jobs::OrderSpec order = spec("rsa", 1024);
    order.payload_content_type = "text/plain";
    const jobs::OrderResult result = jobs::runAsymmetricOrder(order, std::string_view("correct horse"));
    REQUIRE(result.secrets.size() == 3);
    CHECK(text(result.secrets[0].payload.bytes).rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 0) == 0);
    CHECK(result.secrets[2].record.secret_type == "passphrase");
    CHECK(text(result.secrets[2].payload.bytes) == "correct horse");
    for (const jobs::GeneratedSecret& secret : result.secrets) CHECK(secret.payload.content_type == "text/plain");
    REQUIRE(result.container->secrets.size() == 3);
    CHECK(result.container->secrets[2] == std::make_pair(std::string("private_key_passphrase"), result.secrets[2].record.id));
}

TEST_CASE("asymmetric order empty passphrase", "[unit][orders]") {
    const jobs::OrderResult result = jobs::runAsymmetricOrder(spec("rsa", 1024), std::string_view(""));
    CHECK(result.secrets.size() == 2);
    CHECK(text(result.secrets[0].payload.bytes).rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
}

TEST_CASE("asymmetric order dsa is DER", "[unit][orders]") {
    const jobs::OrderResult result = jobs::runAsymmetricOrder(spec("dsa", 1024), std::nullopt);
    REQUIRE(result.secrets.size() == 2);
    CHECK(result.container->type == "dsa");
    // A DER SEQUENCE starts with 0x30.
    CHECK(result.secrets[0].payload.bytes[0] == 0x30);
    CHECK(result.secrets[1].payload.bytes[0] == 0x30);
}

TEST_CASE("asymmetric order failures match the reference", "[unit][orders]") {
    const std::string failure(jobs::kGenerationFailureReason);
    const std::string not_supported(jobs::kAlgorithmNotSupportedReason);
    const std::string no_generator(jobs::kNoGeneratorReason);

    CHECK(failureOf([] { jobs::runAsymmetricOrder(spec("rsa", 3072), std::nullopt); }) == std::make_pair(500, failure));
    CHECK(failureOf([] { jobs::runAsymmetricOrder(spec("rsa", 512), std::nullopt); }) == std::make_pair(500, failure));
    CHECK(failureOf([] { jobs::runAsymmetricOrder(spec("dsa", 3072), std::nullopt); }) == std::make_pair(500, failure));
    for (const char* algorithm : {"ec", "aes", "diffie_hellman", "hmacsha1"}) {
        INFO(algorithm);
        CHECK(failureOf([&] { jobs::runAsymmetricOrder(spec(algorithm, 2048), std::nullopt); }) ==
              std::make_pair(400, not_supported));
    }
    CHECK(failureOf([] { jobs::runAsymmetricOrder(spec("foo", 2048), std::nullopt); }) == std::make_pair(400, no_generator));
}

TEST_CASE("order spec reads stored meta", "[unit][orders]") {
    const jobs::OrderSpec read = jobs::orderSpecOf(claimed(
        R"({"name":"n","algorithm":"aes","bit_length":128,"mode":"cbc","expiration":"2099-01-02T03:04:05",)"
        R"("payload_content_type":"text/plain; charset=utf-8","extra":{"a":1}})"));
    CHECK(read.name == std::optional<std::string>("n"));
    CHECK(read.algorithm == "aes");
    CHECK(read.bit_length == 128);
    CHECK(read.mode == std::optional<std::string>("cbc"));
    REQUIRE(read.expiration);
    CHECK(core::formatTimestamp(*read.expiration) == "2099-01-02T03:04:05");
    CHECK(read.payload_content_type == "text/plain");
    CHECK(read.creator_id == std::optional<std::string>("u-unit"));
    CHECK(read.project_id == "p-unit");

    const jobs::OrderSpec defaults =
        jobs::orderSpecOf(claimed(R"({"name":null,"algorithm":"aes","bit_length":64,"expiration":null})"));
    CHECK_FALSE(defaults.name);
    CHECK_FALSE(defaults.mode);
    CHECK_FALSE(defaults.expiration);
    CHECK(defaults.payload_content_type == "application/octet-stream");
}

TEST_CASE("order spec rejects broken meta", "[unit][orders]") {
    for (const char* meta : {"not json", "[1]", R"({"bit_length":64})", R"({"algorithm":"aes"})",
                             R"({"algorithm":"aes","bit_length":"64"})", R"({"algorithm":5,"bit_length":64})",
                             R"({"algorithm":"aes","bit_length":64,"expiration":"soon"})",
                             R"({"algorithm":"aes","bit_length":64,"payload_content_type":"text/html"})"}) {
        INFO(meta);
        CHECK_THROWS_AS(jobs::orderSpecOf(claimed(meta)), core::Error);
    }
}

TEST_CASE("batch tally counts outcomes", "[unit][orders]") {
    jobs::BatchTally tally;
    tally.add(jobs::OrderOutcome::Active);
    CHECK(tally.allDone());
    tally.add(jobs::OrderOutcome::Active);
    tally.add(jobs::OrderOutcome::Errored);
    tally.add(jobs::OrderOutcome::Deferred);
    tally.add(std::nullopt);
    tally.add(jobs::OrderOutcome::Skipped);
    CHECK(tally.done == 2);
    CHECK(tally.failed == 3);
    CHECK(tally.skipped == 1);
    CHECK(tally.total() == 6);
    CHECK_FALSE(tally.allDone());

    jobs::BatchTally stopped;
    stopped.incomplete = true;
    CHECK_FALSE(stopped.allDone());
}

TEST_CASE("operator flags combinations", "[unit][orders]") {
    jobs::OperatorRequest request;
    CHECK_FALSE(request.any());
    request.order_id = "x";
    CHECK_FALSE(jobs::operatorRequestError(request));
    request.retry_errored = true;
    CHECK_FALSE(jobs::operatorRequestError(request));
    request.all_pending = true;
    CHECK(jobs::operatorRequestError(request));

    jobs::OperatorRequest once_and_order;
    once_and_order.once = true;
    once_and_order.order_id = "x";
    CHECK(jobs::operatorRequestError(once_and_order));

    jobs::OperatorRequest empty_order;
    empty_order.order_id = "";
    CHECK(jobs::operatorRequestError(empty_order));
}

TEST_CASE("retry delays grow and stop at 30 s", "[unit][orders]") {
    CHECK(jobs::retryDelay(0) == std::chrono::milliseconds(1000));
    CHECK(jobs::retryDelay(1) == std::chrono::milliseconds(2000));
    CHECK(jobs::retryDelay(jobs::kMaxOutageRetries - 1) == std::chrono::milliseconds(30000));
    CHECK(jobs::retryDelay(100) == std::chrono::milliseconds(30000));
}

TEST_CASE("outage retry then success", "[unit][orders]") {
    int calls = 0;
    const auto outcome = jobs::processWithRetries("unit", [&]() -> jobs::OrderOutcome {
        ++calls;
        if (calls < 2) throw core::Error(core::ErrorKind::Unavailable, "down");
        return jobs::OrderOutcome::Active;
    });
    CHECK(outcome == jobs::OrderOutcome::Active);
    CHECK(calls == 2);

    CHECK_THROWS_AS(jobs::processWithRetries("unit",
                                             []() -> jobs::OrderOutcome {
                                                 throw core::Error(core::ErrorKind::Internal, "bug");
                                             }),
                    core::Error);
}
