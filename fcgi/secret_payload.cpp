// Payload read: GET /v1/secrets/{id}/payload and the deprecated form,
// GET /v1/secrets/{id} with a non-JSON Accept.

#include <cstdint>

#include "core/error.h"
#include "core/media_type.h"
#include "db/secret_repository.h"
#include "fcgi/controller_support.h"
#include "fcgi/secret_handlers.h"
#include "fcgi/secret_support.h"

namespace fcgi {
namespace {

// Whether `data` is valid UTF-8 for Python's strict decoder: no overlong
// forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(const std::uint8_t* data, std::size_t size) {
    std::size_t i = 0;
    while (i < size) {
        const std::uint8_t lead = data[i];
        std::size_t length = 0;
        std::uint8_t min_second = 0x80;
        std::uint8_t max_second = 0xBF;
        if (lead < 0x80) {
            ++i;
            continue;
        } else if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) min_second = 0xA0;  // overlong
            if (lead == 0xED) max_second = 0x9F;  // surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) min_second = 0x90;  // overlong
            if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
        } else {
            return false;
        }
        if (size - i < length) return false;
        if (data[i + 1] < min_second || data[i + 1] > max_second) return false;
        for (std::size_t k = 2; k < length; ++k) {
            if (data[i + k] < 0x80 || data[i + k] > 0xBF) return false;
        }
        i += length;
    }
    return true;
}

}  // namespace

Response readSecretPayload(App& app, Request& request) {
    db::SecretLookup lookup;
    lookup.ciphertext = true;
    const db::SecretRow secret = loadSecret(app, request, lookup);
    const core::policy::Target target = secretTarget(secret);
    authorize(core::policy::Rule::SecretDecrypt, request, &target);
    // The Accept check comes before the payload check, as upstream's does.
    const std::string served =
        core::payloadServedType(request.header("accept"), secret.content_type.value_or("application/octet-stream"));
    if (!secret.content_type) core::throwNotFound("Not Found. Sorry but your secret has no payload.");

    Response response;
    app.db.run([&](soci::session& sql) {
        const db::ProjectKeyStore::ProjectKey& key = app.project_keys.keyFor(sql, secret.project_id);
        const CryptoPP::SecByteBlock plaintext = db::decryptSecretPayload(key, secret);
        if (served == "text/plain" && !isValidUtf8(plaintext.data(), plaintext.size())) {
            throw core::Error(core::ErrorKind::NotAcceptable,
                              "Secret payload retrieval issue seen - Wrong payload content-type.");
        }
        response.body.assign(reinterpret_cast<const char*>(plaintext.data()), plaintext.size());
    });
    response.sensitive = true;
    response.status = 200;
    // Barbican's framework adds the charset to text types.
    response.setHeader("Content-Type", served == "text/plain" ? "text/plain; charset=UTF-8" : served);
    return response;
}

}  // namespace fcgi
