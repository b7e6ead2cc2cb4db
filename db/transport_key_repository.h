#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/timestamp.h"

namespace db {

// A live row of transport_keys. Transport keys belong to no project.
struct TransportKeyRecord {
    std::string id;
    std::string plugin_name;
    std::string transport_key;  // public key text (PEM)
    std::string status;
    std::string created;  // API timestamp text
    std::string updated;
};

struct TransportKeyPage {
    std::vector<std::string> ids;
    std::int64_t total = 0;
};

// Inserts a transport key with a new id and returns that id.
std::string insertTransportKey(soci::session& sql, const std::string& plugin_name, const std::string& transport_key,
                               core::Timestamp now);

// The live key with `id` (a canonical UUID), or std::nullopt.
std::optional<TransportKeyRecord> findTransportKey(soci::session& sql, const std::string& id);

// Ids of live keys in creation order (id breaks ties), optionally only those
// of `plugin_name`, `limit` of them from `offset`, with the number of all
// matching keys.
TransportKeyPage listTransportKeys(soci::session& sql, const std::optional<std::string>& plugin_name,
                                   std::int64_t offset, std::int64_t limit);

// Marks the live key `id` deleted; returns false when there was none.
bool deleteTransportKey(soci::session& sql, const std::string& id, core::Timestamp now);

}  // namespace db
