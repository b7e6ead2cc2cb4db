#pragma once

#include <soci/soci.h>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.h"
#include "db/project_keys.h"

namespace db {

// An order row to insert as PENDING. `meta` must not contain a passphrase:
// an asymmetric order's passphrase goes, encrypted, into
// `passphrase_ciphertext_hex` (see encryptOrderPassphraseHex).
struct NewOrderRecord {
    std::string id;
    std::string project_id;
    std::string type;
    boost::json::object meta;
    std::optional<std::string> creator_id;
    std::optional<std::string> passphrase_ciphertext_hex;
};

// An order as the API shows it, with timestamps in API form. `status` is
// PENDING, ACTIVE or ERROR.
struct OrderRecord {
    std::string id;
    std::string type;
    boost::json::object meta;
    std::string status;
    std::optional<std::string> creator_id;
    std::optional<std::string> secret_id;
    std::optional<std::string> container_id;
    std::optional<std::string> sub_status;
    std::optional<std::string> sub_status_message;
    std::optional<std::string> error_status_code;
    std::optional<std::string> error_reason;
    std::string created;
    std::string updated;
};

struct OrderPage {
    std::vector<OrderRecord> orders;
    std::int64_t total = 0;
};

// Encrypts an asymmetric order's passphrase under the project key, bound to
// the order id, the project and the type "text/plain", and returns it as hex
// for NewOrderRecord::passphrase_ciphertext_hex.
std::string encryptOrderPassphraseHex(const ProjectKeyStore::ProjectKey& key, const std::string& order_id,
                                      const std::string& project_id, std::string_view passphrase);

// Inserts a PENDING order; `now` becomes created and updated. Runs in the
// caller's transaction.
void insertOrder(soci::session& sql, const NewOrderRecord& order, core::Timestamp now);

// Inserts a PENDING order in one autocommitted statement unless the project
// has its own orders quota (a project_quotas row with orders >= 0); returns
// whether it inserted. For callers whose default orders quota is unlimited;
// on false they run the quota check and insertOrder() in a transaction.
bool insertOrderWithoutProjectQuota(soci::session& sql, const NewOrderRecord& order, core::Timestamp now);

// The live (not deleted) order `order_id` of `project_id`. An id that is not
// a lower-case UUID text finds nothing, like any unknown id.
std::optional<OrderRecord> findOrder(soci::session& sql, const std::string& project_id, const std::string& order_id);

// One page of the project's live orders, oldest first, and the total count.
// A non-empty `meta_filter` keeps orders whose stored meta JSON text contains
// the filter encoded as a JSON string (quotes included), so "aes" matches a
// key or value that is exactly "aes".
OrderPage listOrders(soci::session& sql, const std::string& project_id, const std::string& meta_filter,
                     std::int64_t offset, std::int64_t limit);

// Soft-deletes a live order of the project; false when there is none.
bool deleteOrder(soci::session& sql, const std::string& project_id, const std::string& order_id);

// Whether `id` has the form 8-4-4-4-12 of lower-case hex digits.
bool isUuidText(const std::string& id);

}  // namespace db
