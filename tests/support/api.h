#pragma once

#include <string>

#include "tests/support/http_client.h"

namespace testsupport {

// A fresh random project id, so tests never see each other's rows.
std::string newProjectId();

// Identity headers; an empty `roles` sends no X-Roles (which means admin),
// an empty `user` sends no X-User-Id.
Headers identity(const std::string& project, const std::string& roles = {}, const std::string& user = {});

// `base` plus Content-Type: application/json.
Headers withJson(Headers base);

// The last path segment of an href (the id of a secret_ref and friends).
std::string idOf(const std::string& href);

// The path of an absolute href ("http://host:port/v1/..." -> "/v1/...").
std::string pathOf(const std::string& href);

// Creates a text/plain secret and returns its secret_ref; fails the
// current test when the server does not answer 201.
std::string createTextSecret(const HttpClient& client, const Headers& who, const std::string& payload,
                             const std::string& name = "test-secret");

}  // namespace testsupport
