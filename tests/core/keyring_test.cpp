#include "core/keyring.h"

#include "core/crypto.h"
#include "core/error.h"

#include <catch2/catch.hpp>

#include <cryptopp/base64.h>
#include <cryptopp/filters.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temporary directory, removed with its content.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "keyring_test.XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

void writeFile(const std::string& path, const std::string& content, mode_t mode = 0600) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string toString(const CryptoPP::SecByteBlock& block) {
    return std::string(reinterpret_cast<const char*>(block.data()), block.size());
}

std::string base64(const std::string& bytes) {
    std::string text;
    CryptoPP::StringSource source(bytes, true, new CryptoPP::Base64Encoder(new CryptoPP::StringSink(text), false));
    return text;
}

std::string fixedKeyBytes() {
    std::string key;
    for (int i = 0; i < 32; ++i) {
        key.push_back(static_cast<char>(i * 7 + 1));
    }
    return key;
}

// Returns the message of the core::Error thrown by MasterKey::loadFile.
std::string loadError(const std::string& path) {
    try {
        core::MasterKey::loadFile(path);
    } catch (const core::Error& error) {
        CHECK(error.kind() == core::ErrorKind::Internal);
        return error.what();
    }
    FAIL("loadFile accepted " << path);
    return {};
}

core::MasterKey randomMasterKey() {
    return core::MasterKey::fromBytes(core::randomBlock(core::kMasterKeySize));
}

// Checks that `call` throws the opaque decryption error.
template <class Call>
void requireDecryptionFails(Call call) {
    try {
        call();
        FAIL("decryption succeeded");
    } catch (const core::Error& error) {
        CHECK(error.kind() == core::ErrorKind::Internal);
        CHECK(std::string(error.what()) == "Decryption failed.");
    }
}

template <class Call>
void requireInvalidInput(Call call) {
    try {
        call();
        FAIL("call succeeded");
    } catch (const core::Error& error) {
        CHECK(error.kind() == core::ErrorKind::InvalidInput);
    }
}

const std::uint8_t* bytesOf(const std::string& text) {
    return reinterpret_cast<const std::uint8_t*>(text.data());
}

}  // namespace

TEST_CASE("MasterKey raw file", "[unit]") {
    TempDir dir;
    const std::string path = dir.file("raw.key");
    writeFile(path, fixedKeyBytes());

    const core::MasterKey key = core::MasterKey::loadFile(path);
    CHECK(toString(key.key()) == fixedKeyBytes());
}

TEST_CASE("MasterKey base64 file", "[unit]") {
    TempDir dir;
    const std::string with_newline = dir.file("newline.key");
    const std::string without_newline = dir.file("plain.key");
    writeFile(with_newline, base64(fixedKeyBytes()) + "\n");
    writeFile(without_newline, base64(fixedKeyBytes()));

    CHECK(toString(core::MasterKey::loadFile(with_newline).key()) == fixedKeyBytes());
    CHECK(toString(core::MasterKey::loadFile(without_newline).key()) == fixedKeyBytes());
}

TEST_CASE("MasterKey id stable and opaque", "[unit]") {
    TempDir dir;
    const std::string raw = dir.file("raw.key");
    const std::string text = dir.file("text.key");
    writeFile(raw, fixedKeyBytes());
    writeFile(text, base64(fixedKeyBytes()) + "\n");

    const core::MasterKey first = core::MasterKey::loadFile(raw);
    const core::MasterKey second = core::MasterKey::loadFile(text);
    CHECK(first.id() == second.id());
    CHECK(first.id().size() == core::kMasterKeyIdSize);
    CHECK(first.id().find_first_not_of("0123456789abcdef") == std::string::npos);

    const std::string key_hex = core::toHex(bytesOf(fixedKeyBytes()), 32);
    CHECK(key_hex.find(first.id()) == std::string::npos);
    CHECK(randomMasterKey().id() != first.id());
}

TEST_CASE("MasterKey missing file", "[unit]") {
    TempDir dir;
    const std::string path = dir.file("absent.key");
    const std::string message = loadError(path);
    CHECK_THAT(message, Catch::Contains(path));
    CHECK_THAT(message, Catch::Contains("does not exist"));
}

TEST_CASE("MasterKey loose permissions", "[unit]") {
    TempDir dir;
    const std::string path = dir.file("shared.key");
    writeFile(path, base64(fixedKeyBytes()) + "\n", 0640);

    const std::string message = loadError(path);
    CHECK_THAT(message, Catch::Contains(path));
    CHECK_THAT(message, Catch::Contains("0640"));
    CHECK_THAT(message, !Catch::Contains(base64(fixedKeyBytes())));

    REQUIRE(::chmod(path.c_str(), 0604) == 0);
    CHECK_THAT(loadError(path), Catch::Contains("0604"));
}

TEST_CASE("MasterKey rejects directory", "[unit]") {
    TempDir dir;
    const std::string path = dir.file("subdir");
    REQUIRE(::mkdir(path.c_str(), 0700) == 0);
    CHECK_THAT(loadError(path), Catch::Contains("not a regular file"));
}

TEST_CASE("MasterKey rejects bad content", "[unit]") {
    TempDir dir;
    const std::string key_text = base64(fixedKeyBytes());
    std::string invalid_char = key_text;
    invalid_char[5] = '*';

    const std::vector<std::string> contents = {
        "",
        fixedKeyBytes().substr(0, 31),
        fixedKeyBytes() + "x",
        base64(fixedKeyBytes().substr(0, 31)) + "\n",
        base64(fixedKeyBytes() + "x") + "\n",
        key_text + "\n\n",
        key_text + " ",
        " " + key_text,
        invalid_char + "\n",
    };
    for (std::size_t i = 0; i < contents.size(); ++i) {
        INFO("content " << i);
        const std::string path = dir.file("bad" + std::to_string(i) + ".key");
        writeFile(path, contents[i]);
        const std::string message = loadError(path);
        CHECK_THAT(message, Catch::Contains(path));
        CHECK_THAT(message, Catch::Contains("32 raw bytes"));
    }
}

TEST_CASE("MasterKey generateFile", "[unit]") {
    TempDir dir;
    const std::string path = dir.file("generated.key");
    core::MasterKey::generateFile(path);

    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    CHECK((status.st_mode & 07777) == 0600);
    CHECK(status.st_size == 45);

    const core::MasterKey first = core::MasterKey::loadFile(path);
    CHECK(first.key().size() == core::kMasterKeySize);

    try {
        core::MasterKey::generateFile(path);
        FAIL("generateFile overwrote an existing file");
    } catch (const core::Error& error) {
        CHECK_THAT(error.what(), Catch::Contains("already exists"));
    }
    CHECK(core::MasterKey::loadFile(path).id() == first.id());

    const std::string other = dir.file("other.key");
    core::MasterKey::generateFile(other);
    CHECK(core::MasterKey::loadFile(other).id() != first.id());
}

TEST_CASE("MasterKey generateFile missing directory", "[unit]") {
    TempDir dir;
    const std::string path = dir.file("absent/generated.key");
    try {
        core::MasterKey::generateFile(path);
        FAIL("generateFile wrote into a missing directory");
    } catch (const core::Error& error) {
        CHECK(error.kind() == core::ErrorKind::Internal);
        CHECK_THAT(error.what(), Catch::Contains(path));
        CHECK_THAT(error.what(), Catch::Contains("cannot be created"));
    }
}

TEST_CASE("MasterKey fromBytes size", "[unit]") {
    CHECK_THROWS_AS(core::MasterKey::fromBytes(core::randomBlock(16)), core::Error);
    CHECK_NOTHROW(core::MasterKey::fromBytes(core::randomBlock(32)));
}

TEST_CASE("Keyring wrap round trip", "[unit]") {
    const core::Keyring keyring(randomMasterKey());
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    REQUIRE(project_key.size() == core::kProjectKeySize);

    const std::string wrapped = keyring.wrapProjectKey(project_key, "project-a");
    CHECK(wrapped.size() == 1 + core::kMasterKeyIdSize + core::kGcmOverhead + core::kProjectKeySize);
    CHECK(wrapped[0] == '\x01');
    CHECK(wrapped.substr(1, core::kMasterKeyIdSize) == keyring.current().id());
    CHECK(core::Keyring::wrappingKeyId(wrapped) == keyring.current().id());
    CHECK(keyring.unwrapProjectKey(wrapped, "project-a") == project_key);
}

TEST_CASE("Keyring unwrap failures", "[unit]") {
    const core::Keyring keyring(randomMasterKey());
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    const std::string wrapped = keyring.wrapProjectKey(project_key, "project-a");

    SECTION("other project") {
        requireDecryptionFails([&] { keyring.unwrapProjectKey(wrapped, "project-b"); });
    }
    SECTION("unknown master key") {
        const core::Keyring other(randomMasterKey());
        try {
            other.unwrapProjectKey(wrapped, "project-a");
            FAIL("unwrap succeeded");
        } catch (const core::Error& error) {
            CHECK(std::string(error.what()) == "Decryption failed.");
            CHECK_THAT(error.logDetail(), Catch::Contains(keyring.current().id()));
        }
    }
    SECTION("tampered bytes") {
        for (std::size_t i = 0; i < wrapped.size(); ++i) {
            INFO("byte " << i);
            std::string altered = wrapped;
            altered[i] = static_cast<char>(altered[i] ^ 0x20);
            requireDecryptionFails([&] { keyring.unwrapProjectKey(altered, "project-a"); });
        }
    }
    SECTION("truncated") {
        for (std::size_t size = 0; size < wrapped.size(); ++size) {
            INFO("size " << size);
            requireDecryptionFails([&] { keyring.unwrapProjectKey(wrapped.substr(0, size), "project-a"); });
        }
    }
}

TEST_CASE("Keyring rotation", "[unit]") {
    const core::MasterKey old_key = randomMasterKey();
    const core::MasterKey new_key = randomMasterKey();
    const std::string old_id = old_key.id();
    const std::string new_id = new_key.id();
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();

    const core::Keyring before(old_key);
    const std::string old_wrapped = before.wrapProjectKey(project_key, "p1");

    const core::Keyring after(new_key, {old_key});
    CHECK(core::Keyring::wrappingKeyId(old_wrapped) == old_id);
    CHECK(after.unwrapProjectKey(old_wrapped, "p1") == project_key);

    const std::string new_wrapped = after.wrapProjectKey(after.unwrapProjectKey(old_wrapped, "p1"), "p1");
    CHECK(core::Keyring::wrappingKeyId(new_wrapped) == new_id);
    CHECK(after.unwrapProjectKey(new_wrapped, "p1") == project_key);

    const core::Keyring new_only(new_key);
    requireDecryptionFails([&] { new_only.unwrapProjectKey(old_wrapped, "p1"); });
    CHECK(new_only.unwrapProjectKey(new_wrapped, "p1") == project_key);
}

TEST_CASE("Keyring input checks", "[unit]") {
    const core::Keyring keyring(randomMasterKey());
    CHECK_THROWS_AS(core::Keyring::wrappingKeyId("short"), core::Error);
    CHECK_THROWS_AS(keyring.wrapProjectKey(core::randomBlock(16), "p1"), core::Error);
    CHECK(core::Keyring::newProjectKey() != core::Keyring::newProjectKey());
}

TEST_CASE("Keyring project id separator", "[unit]") {
    const core::Keyring keyring(randomMasterKey());
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    const std::string wrapped = keyring.wrapProjectKey(project_key, "a|b");
    CHECK(keyring.unwrapProjectKey(wrapped, "a|b") == project_key);
    requireDecryptionFails([&] { keyring.unwrapProjectKey(wrapped, "a"); });
}

TEST_CASE("payload round trip", "[unit]") {
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    const core::PayloadBinding binding{"secret-1", "project-a", "application/octet-stream"};

    for (const std::string& payload : {std::string("\0", 1), std::string("x"), std::string("a\0b\0\0c\xff", 7),
                                       std::string(4096, '\0')}) {
        INFO("payload size " << payload.size());
        const std::string stored = core::encryptPayload(project_key, "pk-1", binding, bytesOf(payload), payload.size());
        CHECK(stored[0] == '\x01');
        CHECK(stored[1] == '\x04');
        CHECK(stored.substr(2, 4) == "pk-1");
        CHECK(stored.size() == 2 + 4 + core::kGcmOverhead + payload.size());
        CHECK(toString(core::decryptPayload(project_key, binding, stored)) == payload);
    }
}

TEST_CASE("payload binding mismatch", "[unit]") {
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    const core::PayloadBinding binding{"secret-1", "project-a", "text/plain"};
    const std::string payload = "s3cr3t";
    const std::string stored = core::encryptPayload(project_key, "pk-1", binding, bytesOf(payload), payload.size());

    requireDecryptionFails([&] { core::decryptPayload(project_key, {"secret-2", "project-a", "text/plain"}, stored); });
    requireDecryptionFails([&] { core::decryptPayload(project_key, {"secret-1", "project-b", "text/plain"}, stored); });
    requireDecryptionFails(
        [&] { core::decryptPayload(project_key, {"secret-1", "project-a", "application/octet-stream"}, stored); });
    requireDecryptionFails([&] { core::decryptPayload(core::Keyring::newProjectKey(), binding, stored); });

    // Moving the field boundary between secret id and project id must not verify either.
    requireDecryptionFails([&] { core::decryptPayload(project_key, {"secret-1p", "roject-a", "text/plain"}, stored); });
}

TEST_CASE("payload content type with separator", "[unit]") {
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    const core::PayloadBinding binding{"s1", "p1", "text/plain|odd"};
    const std::string payload = "data";
    const std::string stored = core::encryptPayload(project_key, "pk", binding, bytesOf(payload), payload.size());
    CHECK(toString(core::decryptPayload(project_key, binding, stored)) == payload);
}

TEST_CASE("payload fields with separators", "[unit]") {
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    const std::uint8_t data[] = {1, 2, 3};
    const core::PayloadBinding binding{"s|1", "p|1", "t|x"};
    const std::string stored = core::encryptPayload(project_key, "k|1", binding, data, sizeof data);
    CHECK(core::decryptPayload(project_key, binding, stored).size() == sizeof data);
    // The same bytes split differently between fields must not verify.
    requireDecryptionFails([&] { core::decryptPayload(project_key, {"s|1p", "|1", "t|x"}, stored); });
}

TEST_CASE("payload rejects bad fields", "[unit]") {
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    const core::PayloadBinding binding{"s1", "p1", "text/plain"};
    const std::uint8_t data[] = {1, 2, 3};

    requireInvalidInput([&] { core::encryptPayload(project_key, "", binding, data, sizeof data); });
    requireInvalidInput([&] { core::encryptPayload(project_key, std::string(256, 'k'), binding, data, sizeof data); });

    const std::string long_id(255, 'k');
    const std::string stored = core::encryptPayload(project_key, long_id, binding, data, sizeof data);
    CHECK(core::decryptPayload(project_key, binding, stored).size() == sizeof data);
}

TEST_CASE("payload truncated or garbled", "[unit]") {
    const CryptoPP::SecByteBlock project_key = core::Keyring::newProjectKey();
    const core::PayloadBinding binding{"s1", "p1", "text/plain"};
    const std::string payload = "payload bytes";
    const std::string stored = core::encryptPayload(project_key, "pk-7", binding, bytesOf(payload), payload.size());

    for (std::size_t size = 0; size < stored.size(); ++size) {
        INFO("size " << size);
        requireDecryptionFails([&] { core::decryptPayload(project_key, binding, stored.substr(0, size)); });
    }
    for (std::size_t i = 0; i < stored.size(); ++i) {
        INFO("byte " << i);
        for (const std::uint8_t mask : {0x01, 0x80, 0xff}) {
            std::string altered = stored;
            altered[i] = static_cast<char>(altered[i] ^ mask);
            requireDecryptionFails([&] { core::decryptPayload(project_key, binding, altered); });
        }
    }
    for (int round = 0; round < 200; ++round) {
        std::uint8_t length = 0;
        core::fillRandom(&length, 1);
        std::string garbage(length % 80, '\0');
        core::fillRandom(reinterpret_cast<std::uint8_t*>(garbage.data()), garbage.size());
        requireDecryptionFails([&] { core::decryptPayload(project_key, binding, garbage); });
    }
}

TEST_CASE("parseStoredCiphertext bounds", "[unit]") {
    const std::string sealed(core::kGcmOverhead, 's');

    const std::string stored = std::string("\x01\x02") + "ab" + sealed;
    const auto parsed = core::parseStoredCiphertext(stored);
    REQUIRE(parsed.has_value());
    CHECK(parsed->version == 1);
    CHECK(parsed->project_key_id == "ab");
    CHECK(parsed->sealed == sealed);

    CHECK_FALSE(core::parseStoredCiphertext(""));
    CHECK_FALSE(core::parseStoredCiphertext(std::string("\x01", 1)));
    CHECK_FALSE(core::parseStoredCiphertext(std::string("\x02\x02") + "ab" + sealed));
    CHECK_FALSE(core::parseStoredCiphertext(std::string("\x01\x00", 2) + sealed));
    CHECK_FALSE(core::parseStoredCiphertext(std::string("\x01\x02") + "ab" + sealed.substr(1)));
    CHECK_FALSE(core::parseStoredCiphertext(std::string("\x01\xff") + "ab" + sealed));
    CHECK_FALSE(core::parseStoredCiphertext(std::string("\x01\x03") + "ab"));
}
