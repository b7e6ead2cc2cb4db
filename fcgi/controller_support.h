#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/policy.h"
#include "core/query.h"
#include "fcgi/app.h"
#include "fcgi/http.h"

namespace fcgi {

// Steps every controller shares. Each throws core::Error with Barbican's
// status and description, so a handler reads as a list of steps.

// The caller as the policy engine sees it.
core::policy::Caller callerOf(const Request& request);

// 403 with "<Operation> attempt not allowed - ..." unless allowed.
void authorize(core::policy::Rule rule, const Request& request, const core::policy::Target* target = nullptr);

// 415 unless Content-Type is application/json (parameters ignored).
void requireJsonContentType(const Request& request);

// 406 unless Accept is absent, */* or matches application/json.
void requireJsonAccept(const Request& request);

// The body parsed as a JSON object with trimmed strings; 400 "Malformed JSON"
// and friends on failure. Reads at most api.max_request_bytes.
boost::json::object parseJsonBody(const App& app, const Request& request);

// Canonical UUID v4 (lower-case hex, version 4, variant 8-b), the form that
// secret, container, consumer and transport key ids must have in paths.
bool isCanonicalUuidV4(std::string_view id);

// Paging of a list request with the configured default and maximum.
core::Paging pagingOf(const App& app, const Request& request);

// Adds "previous" and "next" links to a list body, as Barbican does: only on
// a non-empty page, previous when offset > 0, next when total > offset +
// limit. `extra_query` (already encoded, starting with '&') is appended to
// both links.
void addPagingLinks(boost::json::object& body, const Request& request, std::string_view collection_path,
                    const core::Paging& paging, std::int64_t total, std::size_t page_size,
                    std::string_view extra_query = {});

// JSON null or the string.
boost::json::value nullableString(const std::optional<std::string>& value);

}  // namespace fcgi
