#pragma once

// Consumers of containers and of secrets: listing, registration (idempotent,
// reviving a removed consumer) and removal, plus the secret lookup that the
// secret consumer endpoints render.

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/consumer_rules.h"
#include "core/policy.h"
#include "core/timestamp.h"

namespace db {

// A live consumer row; timestamps are in the API form.
struct ContainerConsumerRow {
    std::string id;
    std::string project_id;  // project that registered it
    std::string name;
    std::string url;
    std::string status;
    std::string created;
    std::string updated;
};

struct SecretConsumerRow {
    std::string id;
    std::string project_id;
    std::string service;
    std::string resource_type;
    std::string resource_id;
    std::string status;
    std::string created;
    std::string updated;
};

template <typename Row>
struct ConsumerPage {
    std::vector<Row> rows;
    std::int64_t total = 0;  // live consumers of the parent on all pages
};

// One page of a container's live consumers, sorted by name (then URL).
ConsumerPage<ContainerConsumerRow> listContainerConsumers(soci::session& sql, const std::string& container_id,
                                                          std::int64_t offset, std::int64_t limit);

// One page of a secret's live consumers, oldest first.
ConsumerPage<SecretConsumerRow> listSecretConsumers(soci::session& sql, const std::string& secret_id,
                                                    std::int64_t offset, std::int64_t limit);

// The live consumer `consumer_id` of the given parent; std::nullopt when it
// does not exist, is removed or belongs to another parent. Both ids must be
// canonical UUIDs.
std::optional<ContainerConsumerRow> findContainerConsumerById(soci::session& sql, const std::string& container_id,
                                                              const std::string& consumer_id);
std::optional<SecretConsumerRow> findSecretConsumerById(soci::session& sql, const std::string& secret_id,
                                                        const std::string& consumer_id);

// Registers a consumer for `project_id`, or revives a removed one with the
// same identity (it then belongs to `project_id`). When a row was inserted or
// revived, the parent's updated_at becomes `now` and the result is true; an
// already live consumer is left unchanged (false). Concurrent registrations
// of one identity create one row.
bool registerContainerConsumer(soci::session& sql, const std::string& container_id, const std::string& project_id,
                               const core::ContainerConsumerBody& consumer, core::Timestamp now);
bool registerSecretConsumer(soci::session& sql, const std::string& secret_id, const std::string& project_id,
                            const core::SecretConsumerBody& consumer, core::Timestamp now);

// The live consumer with this identity, locked FOR UPDATE until the
// transaction ends; std::nullopt when there is none.
std::optional<ContainerConsumerRow> lockContainerConsumer(soci::session& sql, const std::string& container_id,
                                                          const core::ContainerConsumerBody& consumer);
std::optional<SecretConsumerRow> lockSecretConsumer(soci::session& sql, const std::string& secret_id,
                                                    const core::SecretConsumerBody& consumer);

// Soft-deletes the consumer row `id` of the given table kind.
void removeContainerConsumer(soci::session& sql, const std::string& id, core::Timestamp now);
void removeSecretConsumer(soci::session& sql, const std::string& id, core::Timestamp now);

// Whether the server has seen the project (it has a projects row).
bool projectExists(soci::session& sql, const std::string& project_id);

// A live secret with its read ACL and live consumers (oldest first), as the
// secret consumer endpoints need it. Timestamps are in the API form.
// NOTE: this repeats the secret lookup of db/secret_repository.h. The two
// were written at the same time, so neither depends on the other. Merge them.
struct ConsumedSecret {
    std::string id;
    std::string project_id;
    std::optional<std::string> name;
    std::string secret_type;
    std::string status;
    std::optional<std::string> algorithm;
    std::optional<int> bit_length;
    std::optional<std::string> mode;
    std::optional<std::string> expiration;
    std::string created;
    std::string updated;
    std::optional<std::string> creator_id;
    std::optional<std::string> content_type;  // none without payload

    // project_id, creator_id, and from the read ACL (when one exists)
    // is_private = !project_access and acl_users = its users.
    core::policy::Target target;

    struct Consumer {
        std::string service;
        std::string resource_type;
        std::string resource_id;
    };
    std::vector<Consumer> consumers;
};

// Loads the secret `id` in any project; std::nullopt when it does not exist,
// is deleted or has expired. `id` must be a canonical UUID.
std::optional<ConsumedSecret> findConsumedSecret(soci::session& sql, const std::string& id);

}  // namespace db
