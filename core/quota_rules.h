#pragma once

// Quota values and the request body of PUT /v1/project-quotas/{project_id}.
// Pure validation, no I/O.

#include <boost/json/object.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace core {

// The quota kinds, in the order of every quota object the API returns.
// "cas" is kept for compatibility; nothing counts against it.
inline constexpr std::array<std::string_view, 5> kQuotaKinds = {"secrets", "orders", "containers", "consumers",
                                                                "cas"};

// One value per entry of kQuotaKinds. Negative means unlimited, 0 disables
// creation; std::nullopt is "not configured" in a project's record.
using QuotaValues = std::array<std::optional<int>, kQuotaKinds.size()>;

// Maximum length of a project id, in code points (the width of the
// project_id columns).
inline constexpr std::size_t kMaxProjectIdLength = 255;

// Whether `id` can name a project in the database: non-empty, valid UTF-8
// without NUL, at most kMaxProjectIdLength code points. Project ids in the
// /v1/project-quotas/{project_id} path come from the client as any string.
bool isStorableProjectId(std::string_view id);

// Validates {"project_quotas": {"secrets": int, ...}}: the schema is closed
// at both levels, values are integers that fit a 32-bit column (null is
// rejected), and "project_quotas" is required. Keys not given stay
// std::nullopt. Throws core::Error InvalidInput with a schema message naming
// the field.
QuotaValues parseProjectQuotasBody(const boost::json::object& body);

// The effective value of each kind: the project's configured value where it
// is set, else the service default.
std::array<int, kQuotaKinds.size()> effectiveQuotas(const QuotaValues& configured,
                                                     const std::array<int, kQuotaKinds.size()>& defaults);

}  // namespace core
