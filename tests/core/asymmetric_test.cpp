#include "core/asymmetric.h"

#include "core/error.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temporary directory, removed with its content.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "asymmetric_test.XXXXXX").string();
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

struct CommandResult {
    int exit_code = -1;
    std::string output;
};

// Runs a shell command and returns its exit code and standard output.
CommandResult runCommand(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    std::size_t count = 0;
    while ((count = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        result.output.append(buffer, count);
    }
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

void writeFile(const std::string& path, const void* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string toString(const CryptoPP::SecByteBlock& block) {
    return std::string(reinterpret_cast<const char*>(block.data()), block.size());
}

std::string quote(const std::string& path) {
    return "'" + path + "'";
}

// Checks the PEM framing: header, base64 lines of 64 characters (the last may
// be shorter), footer, each line ending with "\n".
void checkPemLayout(const std::string& pem, const std::string& label) {
    const std::string begin = "-----BEGIN " + label + "-----\n";
    const std::string end = "-----END " + label + "-----\n";
    REQUIRE(pem.size() > begin.size() + end.size());
    CHECK(pem.substr(0, begin.size()) == begin);
    CHECK(pem.substr(pem.size() - end.size()) == end);

    std::istringstream body(pem.substr(begin.size(), pem.size() - begin.size() - end.size()));
    std::vector<std::string> lines;
    for (std::string line; std::getline(body, line);) {
        lines.push_back(line);
    }
    REQUIRE_FALSE(lines.empty());
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        CHECK(lines[i].size() == 64);
    }
    CHECK(lines.back().size() <= 64);
    CHECK_FALSE(lines.back().empty());
}

// Returns the openssl option that reads `passphrase` from a file in `dir`,
// or nothing for an empty passphrase (openssl rejects an empty password file).
std::string passinOption(const TempDir& dir, const std::string& passphrase) {
    if (passphrase.empty()) {
        return {};
    }
    const std::string path = dir.file("pass.txt");
    writeFile(path, passphrase.data(), passphrase.size());
    return " -passin file:" + quote(path);
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

// Writes an RSA key pair to files and checks it with openssl: the private key
// loads, yields the generated public key, has `bits` bits and exponent 65537.
void checkRsaWithOpenssl(const core::KeyPairPem& pair, unsigned bits, const std::string& passphrase) {
    TempDir dir;
    const std::string private_path = dir.file("private.pem");
    const std::string public_path = dir.file("public.pem");
    writeFile(private_path, pair.private_key.data(), pair.private_key.size());
    writeFile(public_path, pair.public_key.data(), pair.public_key.size());
    const std::string pkey = "openssl pkey -in " + quote(private_path) + passinOption(dir, passphrase);

    const CommandResult derived = runCommand(pkey + " -pubout 2>/dev/null");
    CHECK(derived.exit_code == 0);
    CHECK(derived.output == pair.public_key);

    const CommandResult text = runCommand(pkey + " -text -noout 2>/dev/null");
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.output, Catch::Contains("Private-Key: (" + std::to_string(bits) + " bit"));
    CHECK_THAT(text.output, Catch::Contains("publicExponent: 65537"));

    const CommandResult public_text = runCommand("openssl pkey -pubin -in " + quote(public_path) + " -text -noout");
    CHECK(public_text.exit_code == 0);
    CHECK_THAT(public_text.output, Catch::Contains("Exponent: 65537"));
}

}  // namespace

TEST_CASE("encodePem line layout", "[unit]") {
    const std::string hello = "hello";
    const CryptoPP::SecByteBlock pem =
        core::encodePem("TEST", reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size());
    CHECK(toString(pem) == "-----BEGIN TEST-----\naGVsbG8=\n-----END TEST-----\n");

    const std::string one_line(48, 'a');
    const std::string two_lines(49, 'a');
    const std::string many(1000, 'z');
    for (const std::string& data : {one_line, two_lines, many}) {
        INFO("size " << data.size());
        const CryptoPP::SecByteBlock block =
            core::encodePem("DATA", reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        checkPemLayout(toString(block), "DATA");
    }
}

TEST_CASE("generateRsa rejects bad sizes", "[unit]") {
    for (const unsigned bits : {0u, 512u, 1016u, 1020u, 1023u, 2049u, 4100u, 4104u, 8192u}) {
        INFO("bits " << bits);
        requireInvalidInput([&] { core::generateRsa(bits, std::nullopt); });
    }
}

TEST_CASE("generateRsa 2048 plain", "[unit][openssl]") {
    const core::KeyPairPem pair = core::generateRsa(2048, std::nullopt);
    checkPemLayout(toString(pair.private_key), "PRIVATE KEY");
    checkPemLayout(pair.public_key, "PUBLIC KEY");
    checkRsaWithOpenssl(pair, 2048, "");
}

TEST_CASE("generateRsa 1024 encrypted", "[unit][openssl]") {
    const std::string passphrase = "correct horse battery staple";
    const core::KeyPairPem pair = core::generateRsa(1024, passphrase);
    checkPemLayout(toString(pair.private_key), "ENCRYPTED PRIVATE KEY");
    checkPemLayout(pair.public_key, "PUBLIC KEY");
    checkRsaWithOpenssl(pair, 1024, passphrase);

    TempDir dir;
    const std::string private_path = dir.file("private.pem");
    const std::string wrong_path = dir.file("wrong.txt");
    writeFile(private_path, pair.private_key.data(), pair.private_key.size());
    writeFile(wrong_path, "wrong", 5);

    const CommandResult wrong = runCommand("openssl pkey -in " + quote(private_path) + " -passin file:" +
                                           quote(wrong_path) + " -noout 2>/dev/null");
    CHECK(wrong.exit_code != 0);

    const CommandResult structure = runCommand("openssl asn1parse -in " + quote(private_path));
    CHECK(structure.exit_code == 0);
    CHECK_THAT(structure.output, Catch::Contains("PBES2"));
    CHECK_THAT(structure.output, Catch::Contains("PBKDF2"));
    CHECK_THAT(structure.output, Catch::Contains("hmacWithSHA256"));
    CHECK_THAT(structure.output, Catch::Contains("aes-256-cbc"));
    CHECK_THAT(structure.output, Catch::Contains(":0186A0"));  // 100000 iterations
}

TEST_CASE("generateRsa odd size", "[unit][openssl]") {
    const core::KeyPairPem pair = core::generateRsa(1032, std::nullopt);
    checkRsaWithOpenssl(pair, 1032, "");
}

TEST_CASE("generateRsa empty passphrase", "[unit]") {
    const core::KeyPairPem pair = core::generateRsa(1024, std::string_view());
    checkPemLayout(toString(pair.private_key), "PRIVATE KEY");
}

TEST_CASE("generateRsa 4096", "[unit][openssl]") {
    const auto start = std::chrono::steady_clock::now();
    const core::KeyPairPem pair = core::generateRsa(4096, std::nullopt);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("RSA 4096 generation took " << seconds << " s");
    checkRsaWithOpenssl(pair, 4096, "");
}

TEST_CASE("generateDsa rejects bad sizes", "[unit]") {
    for (const unsigned bits : {0u, 512u, 1536u, 2056u, 4096u}) {
        INFO("bits " << bits);
        requireInvalidInput([&] { core::generateDsa(bits, std::nullopt); });
    }
}

TEST_CASE("generateDsa DER keys", "[unit][openssl]") {
    const std::string passphrase = GENERATE(std::string(), std::string("dsa pass phrase"));
    INFO("passphrase '" << passphrase << "'");
    const core::KeyPairPem pair = core::generateDsa(2048, passphrase);
    REQUIRE(pair.private_key.size() > 0);
    CHECK(pair.private_key[0] == 0x30);  // DER SEQUENCE
    CHECK(pair.public_key.at(0) == '\x30');

    TempDir dir;
    const std::string private_path = dir.file("private.der");
    const std::string derived_path = dir.file("derived.der");
    writeFile(private_path, pair.private_key.data(), pair.private_key.size());
    const std::string pkey = "openssl pkey -inform DER -in " + quote(private_path) + passinOption(dir, passphrase);

    const CommandResult derived = runCommand(pkey + " -pubout -outform DER -out " + quote(derived_path));
    CHECK(derived.exit_code == 0);
    CHECK(readFile(derived_path) == pair.public_key);

    const CommandResult text = runCommand(pkey + " -text -noout 2>/dev/null");
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.output, Catch::Contains("Private-Key: (2048 bit"));

    if (!passphrase.empty()) {
        const CommandResult structure = runCommand("openssl asn1parse -inform DER -in " + quote(private_path));
        CHECK_THAT(structure.output, Catch::Contains("PBES2"));
    }
}

TEST_CASE("generateDsa 1024", "[unit][openssl]") {
    const core::KeyPairPem pair = core::generateDsa(1024, std::nullopt);

    TempDir dir;
    const std::string private_path = dir.file("private.der");
    writeFile(private_path, pair.private_key.data(), pair.private_key.size());
    const CommandResult text = runCommand("openssl pkey -inform DER -in " + quote(private_path) + " -text -noout");
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.output, Catch::Contains("Private-Key: (1024 bit"));
}
