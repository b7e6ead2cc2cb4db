#pragma once

// Handlers of the secret routes that live outside secret_controller.cpp,
// which registers them.

#include "fcgi/app.h"
#include "fcgi/http.h"

namespace fcgi {

// GET /v1/secrets: the caller's secrets (or those shared through ACLs) with
// filters, sorting and paging.
Response listSecrets(App& app, Request& request);

// GET /v1/secrets/{id}/payload, and GET /v1/secrets/{id} with a non-JSON
// Accept: the decrypted payload, served in the type the Accept header requests.
Response readSecretPayload(App& app, Request& request);

}  // namespace fcgi
