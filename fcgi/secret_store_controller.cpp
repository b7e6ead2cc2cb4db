// /v1/secret-stores. This service has one backend, so it behaves like
// Barbican with multiple backend support disabled (its default): every
// route returns 404. The collection, "global-default" and "preferred" check
// the Accept header and the policy first, as Barbican does. Any other path
// below /v1/secret-stores returns 404 before those checks.

#include <string>

#include "core/error.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"

namespace fcgi {
namespace {

constexpr const char* kDisabled = "Not Found. Multiple backends support is not enabled in service configuration.";

// Path segments below /v1/secret-stores that get a route; deeper paths fall
// to the generic 404 of the dispatcher.
constexpr int kMaxDepth = 5;

// Checks the policy with the denial message Barbican uses for that route.
// NOTE: the policy table has one rule for the three read routes because their
// legacy rules are identical (any role); Barbican names them
// secretstores:get, secretstores:get_global_default and
// secretstores:get_preferred.
void authorizeStoreRead(const Request& request, const char* operation) {
    if (!core::policy::allowed(core::policy::Rule::SecretStoresGet, callerOf(request))) {
        throw core::Error(core::ErrorKind::Forbidden,
                          std::string(operation) + " attempt not allowed - please review your user/project privileges");
    }
}

Response listStores(App&, Request& request) {
    requireJsonAccept(request);
    authorizeStoreRead(request, "List available secret stores");
    core::throwNotFound(kDisabled);
}

// Handles every method on /v1/secret-stores/{s1}[/...].
Response storeSubpath(App&, Request& request) {
    const std::string& first = request.param("s1");
    if (first == "global-default") {
        requireJsonAccept(request);
        authorizeStoreRead(request, "Retrieve global default secret store");
    } else if (first == "preferred") {
        requireJsonAccept(request);
        authorizeStoreRead(request, "Retrieve project preferred store");
    }
    core::throwNotFound(kDisabled);
}

}  // namespace

void registerSecretStoreRoutes(Router& router) {
    router.add("GET", "/v1/secret-stores", listStores);
    std::string path = "/v1/secret-stores";
    for (int depth = 1; depth <= kMaxDepth; ++depth) {
        path += "/{s" + std::to_string(depth) + "}";
        for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) router.add(method, path, storeSubpath);
    }
}

}  // namespace fcgi
