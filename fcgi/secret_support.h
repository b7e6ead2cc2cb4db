#pragma once

// Steps shared by the secret controllers (secrets, payload, metadata) and by
// the controllers of secret sub-resources: loading the secret named in the
// path, its policy target and its JSON form.

#include <boost/json/object.hpp>

#include <string>

#include "core/policy.h"
#include "db/secret_repository.h"
#include "fcgi/app.h"
#include "fcgi/http.h"

namespace fcgi {

// Loads the secret of the path parameter "id" with its read ACL, from any
// project. Throws NotFound ("Not Found. Provided secret id is invalid.")
// for an id that is not a canonical UUID v4 and ("Secret not found.") for an
// unknown, deleted or expired secret, as Barbican does.
db::SecretRow loadSecret(App& app, const Request& request, const db::SecretLookup& lookup = {});

// The policy target of a secret: its project and creator, private when its
// read ACL turns project access off, and the ACL's users.
core::policy::Target secretTarget(const db::SecretRow& secret);

// The secret object of GET responses and list items; "content_types" only
// when a payload is stored, "consumers" from microversion 1.1 on.
boost::json::object secretJson(const Request& request, const db::SecretRow& secret);

// "{base}/v1/secrets/{id}".
std::string secretRef(const Request& request, const std::string& id);

}  // namespace fcgi
