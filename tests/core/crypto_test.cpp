#include "core/crypto.h"
#include "core/error.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kNoncesPerProcess = 64;

std::string fromHex(std::string_view hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return bytes;
}

CryptoPP::SecByteBlock keyFromHex(std::string_view hex) {
    const std::string bytes = fromHex(hex);
    return CryptoPP::SecByteBlock(reinterpret_cast<const CryptoPP::byte*>(bytes.data()), bytes.size());
}

std::string toString(const CryptoPP::SecByteBlock& block) {
    return std::string(reinterpret_cast<const char*>(block.data()), block.size());
}

std::vector<std::string> drawNonces(int count) {
    std::vector<std::string> nonces;
    for (int i = 0; i < count; ++i) {
        std::string nonce(core::kGcmNonceSize, '\0');
        core::fillRandom(reinterpret_cast<std::uint8_t*>(nonce.data()), nonce.size());
        nonces.push_back(nonce);
    }
    return nonces;
}

// Runs in a forked child: draws nonces, writes them to `fd` and exits.
[[noreturn]] void drawNoncesInChild(int fd, bool call_reseed) {
    if (call_reseed) {
        core::reseedAfterFork();
    }
    for (const std::string& nonce : drawNonces(kNoncesPerProcess)) {
        if (::write(fd, nonce.data(), nonce.size()) != static_cast<ssize_t>(nonce.size())) {
            ::_exit(2);
        }
    }
    ::_exit(0);
}

std::string readAll(int fd) {
    std::string data;
    char buffer[1024];
    for (;;) {
        const ssize_t count = ::read(fd, buffer, sizeof buffer);
        if (count <= 0) {
            return data;
        }
        data.append(buffer, static_cast<std::size_t>(count));
    }
}

// Checks that opening `sealed` fails with the opaque error.
void requireOpenFails(const CryptoPP::SecByteBlock& key, std::string_view ad, std::string_view sealed) {
    try {
        core::openGcm(key, ad, sealed);
        FAIL("openGcm accepted invalid input");
    } catch (const core::Error& error) {
        CHECK(error.kind() == core::ErrorKind::Internal);
        CHECK(std::string(error.what()) == "Decryption failed.");
    }
}

// Test cases 13, 14 and 16 of "The Galois/Counter Mode of Operation (GCM)",
// McGrew and Viega, revised 2005: AES-256 with a 96-bit IV.
struct GcmVector {
    const char* name;
    const char* key;
    const char* iv;
    const char* plaintext;
    const char* associated_data;
    const char* ciphertext;
    const char* tag;
};

const GcmVector kGcmVectors[] = {
    {"test case 13", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"test case 14", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"test case 16", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

}  // namespace

TEST_CASE("newUuidV4 canonical form", "[unit]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string uuid = core::newUuidV4();
        INFO(uuid);
        REQUIRE(uuid.size() == 36);
        for (const std::size_t dash : {8, 13, 18, 23}) {
            CHECK(uuid[dash] == '-');
        }
        std::string digits = uuid;
        digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
        CHECK(digits.size() == 32);
        CHECK(digits.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(uuid[14] == '4');
        CHECK(std::string("89ab").find(uuid[19]) != std::string::npos);
        seen.insert(uuid);
    }
    CHECK(seen.size() == 200);
}

TEST_CASE("randomBlock size and variety", "[unit]") {
    const CryptoPP::SecByteBlock first = core::randomBlock(32);
    const CryptoPP::SecByteBlock second = core::randomBlock(32);
    CHECK(first.size() == 32);
    CHECK(second.size() == 32);
    CHECK(first != second);
    CHECK(core::randomBlock(0).size() == 0);
}

TEST_CASE("thread pools draw distinct nonces", "[unit]") {
    std::vector<std::string> other_thread;
    std::thread worker([&other_thread] { other_thread = drawNonces(kNoncesPerProcess); });
    const std::vector<std::string> this_thread = drawNonces(kNoncesPerProcess);
    worker.join();

    std::set<std::string> seen(this_thread.begin(), this_thread.end());
    seen.insert(other_thread.begin(), other_thread.end());
    CHECK(seen.size() == 2 * kNoncesPerProcess);
}

TEST_CASE("forked children draw fresh nonces", "[unit]") {
    // Seed the parent's pool before forking, so that the children inherit its state.
    std::vector<std::string> all = drawNonces(kNoncesPerProcess);

    constexpr int kChildren = 4;
    std::vector<pid_t> children;
    std::vector<int> read_fds;
    for (int i = 0; i < kChildren; ++i) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            // Half of the children call reseedAfterFork(); the others rely on fork detection.
            drawNoncesInChild(fds[1], i % 2 == 0);
        }
        ::close(fds[1]);
        children.push_back(pid);
        read_fds.push_back(fds[0]);
    }

    for (int i = 0; i < kChildren; ++i) {
        const std::string data = readAll(read_fds[i]);
        ::close(read_fds[i]);
        int status = 0;
        REQUIRE(::waitpid(children[i], &status, 0) == children[i]);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        REQUIRE(data.size() == kNoncesPerProcess * core::kGcmNonceSize);
        for (std::size_t offset = 0; offset < data.size(); offset += core::kGcmNonceSize) {
            all.push_back(data.substr(offset, core::kGcmNonceSize));
        }
    }

    // The parent keeps drawing after the fork, which must not repeat a child's nonces either.
    const std::vector<std::string> after = drawNonces(kNoncesPerProcess);
    all.insert(all.end(), after.begin(), after.end());

    const std::set<std::string> unique(all.begin(), all.end());
    CHECK(all.size() == (kChildren + 2) * kNoncesPerProcess);
    CHECK(unique.size() == all.size());
}

TEST_CASE("openGcm known answers", "[unit]") {
    for (const GcmVector& vector : kGcmVectors) {
        INFO(vector.name);
        const CryptoPP::SecByteBlock key = keyFromHex(vector.key);
        const std::string ad = fromHex(vector.associated_data);
        const std::string sealed = fromHex(vector.iv) + fromHex(vector.ciphertext) + fromHex(vector.tag);

        const CryptoPP::SecByteBlock plaintext = core::openGcm(key, ad, sealed);
        CHECK(toString(plaintext) == fromHex(vector.plaintext));
    }
}

TEST_CASE("sealGcm output layout", "[unit]") {
    const CryptoPP::SecByteBlock key = core::randomBlock(core::kGcmKeySize);
    const std::string plaintext = "attack at dawn";
    const auto* data = reinterpret_cast<const std::uint8_t*>(plaintext.data());

    const std::string first = core::sealGcm(key, "ad", data, plaintext.size());
    const std::string second = core::sealGcm(key, "ad", data, plaintext.size());
    CHECK(first.size() == core::kGcmOverhead + plaintext.size());
    CHECK(first.find(plaintext) == std::string::npos);
    CHECK(first.substr(0, core::kGcmNonceSize) != second.substr(0, core::kGcmNonceSize));
    CHECK(first != second);
}

TEST_CASE("sealGcm round trip", "[unit]") {
    const CryptoPP::SecByteBlock key = core::randomBlock(core::kGcmKeySize);
    const std::string plaintext("binary\0data\xff", 12);

    const std::string sealed =
        core::sealGcm(key, "context", reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size());
    CHECK(toString(core::openGcm(key, "context", sealed)) == plaintext);
}

TEST_CASE("sealGcm empty plaintext", "[unit]") {
    const CryptoPP::SecByteBlock key = core::randomBlock(core::kGcmKeySize);

    const std::string sealed = core::sealGcm(key, "", nullptr, 0);
    CHECK(sealed.size() == core::kGcmOverhead);
    CHECK(core::openGcm(key, "", sealed).size() == 0);
    requireOpenFails(key, "other", sealed);
}

TEST_CASE("sealGcm rejects short key", "[unit]") {
    const CryptoPP::SecByteBlock key = core::randomBlock(16);
    const std::uint8_t byte = 1;
    CHECK_THROWS_AS(core::sealGcm(key, "", &byte, 1), core::Error);
}

TEST_CASE("openGcm rejects altered input", "[unit]") {
    const CryptoPP::SecByteBlock key = core::randomBlock(core::kGcmKeySize);
    const std::string plaintext = "the payload";
    const std::string sealed =
        core::sealGcm(key, "ad", reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size());

    SECTION("tampered tag") {
        std::string altered = sealed;
        altered.back() = static_cast<char>(altered.back() ^ 0x01);
        requireOpenFails(key, "ad", altered);
    }
    SECTION("tampered ciphertext") {
        std::string altered = sealed;
        altered[core::kGcmNonceSize + 3] = static_cast<char>(altered[core::kGcmNonceSize + 3] ^ 0x80);
        requireOpenFails(key, "ad", altered);
    }
    SECTION("tampered nonce") {
        std::string altered = sealed;
        altered[0] = static_cast<char>(altered[0] ^ 0x01);
        requireOpenFails(key, "ad", altered);
    }
    SECTION("wrong associated data") {
        requireOpenFails(key, "ae", sealed);
        requireOpenFails(key, "", sealed);
    }
    SECTION("wrong key") {
        requireOpenFails(core::randomBlock(core::kGcmKeySize), "ad", sealed);
        requireOpenFails(core::randomBlock(16), "ad", sealed);
    }
    SECTION("truncated input") {
        for (std::size_t size = 0; size < sealed.size(); ++size) {
            INFO("size " << size);
            requireOpenFails(key, "ad", std::string_view(sealed).substr(0, size));
        }
    }
    SECTION("appended byte") {
        requireOpenFails(key, "ad", sealed + '\0');
    }
}

TEST_CASE("wipeString empties text", "[unit]") {
    std::string text = "a secret that is longer than the small string buffer";
    core::wipeString(text);
    CHECK(text.empty());

    std::string short_text = "pin";
    core::wipeString(short_text);
    CHECK(short_text.empty());
}

TEST_CASE("toHex lower case", "[unit]") {
    const std::uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    CHECK(core::toHex(bytes, sizeof bytes) == "000fa5ff");
    CHECK(core::toHex(bytes, 0).empty());
}
