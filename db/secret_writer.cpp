#include "db/secret_writer.h"

#include "core/keyring.h"
#include "db/bytea.h"

namespace db {

std::string encryptPayloadHex(const ProjectKeyStore::ProjectKey& key, const std::string& secret_id,
                              const std::string& project_id, const core::SecretPayload& payload) {
    const core::PayloadBinding binding{secret_id, project_id, payload.content_type};
    return hexEncode(core::encryptPayload(key.key, key.id, binding, payload.bytes.data(), payload.bytes.size()));
}

void insertSecret(soci::session& sql, const ProjectKeyStore::ProjectKey& key, const SecretRecord& record,
                  const core::SecretPayload* payload, core::Timestamp now) {
    std::string ciphertext_hex;
    std::string content_type;
    soci::indicator payload_ind = soci::i_null;
    if (payload != nullptr) {
        ciphertext_hex = encryptPayloadHex(key, record.id, record.project_id, *payload);
        content_type = payload->content_type;
        payload_ind = soci::i_ok;
    }

    const std::string name = record.name.value_or("");
    const std::string algorithm = record.algorithm.value_or("");
    const int bit_length = record.bit_length.value_or(0);
    const std::string mode = record.mode.value_or("");
    const std::string expiration = record.expiration ? core::formatSqlTimestamp(*record.expiration) : std::string();
    const std::string creator = record.creator_id.value_or("");
    const std::string created = core::formatSqlTimestamp(now);
    soci::indicator name_ind = record.name ? soci::i_ok : soci::i_null;
    soci::indicator algorithm_ind = record.algorithm ? soci::i_ok : soci::i_null;
    soci::indicator bits_ind = record.bit_length ? soci::i_ok : soci::i_null;
    soci::indicator mode_ind = record.mode ? soci::i_ok : soci::i_null;
    soci::indicator expiration_ind = record.expiration ? soci::i_ok : soci::i_null;
    soci::indicator creator_ind = record.creator_id ? soci::i_ok : soci::i_null;
    soci::indicator content_type_ind = payload_ind;

    sql << "INSERT INTO secrets (id, project_id, name, secret_type, algorithm, bit_length, mode, expiration,"
           " creator_id, content_type, ciphertext, created_at, updated_at) VALUES ("
           "CAST(:id AS uuid), :project, :name, :type, :alg, :bits, :mode, CAST(:exp AS timestamp), :creator,"
           " :ctype, decode(:ct, 'hex'), CAST(:created AS timestamp), CAST(:updated AS timestamp))",
        soci::use(record.id), soci::use(record.project_id), soci::use(name, name_ind), soci::use(record.secret_type),
        soci::use(algorithm, algorithm_ind), soci::use(bit_length, bits_ind), soci::use(mode, mode_ind),
        soci::use(expiration, expiration_ind), soci::use(creator, creator_ind), soci::use(content_type, content_type_ind),
        soci::use(ciphertext_hex, payload_ind), soci::use(created), soci::use(created);
}

}  // namespace db
