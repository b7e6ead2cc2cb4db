#pragma once

#include "fcgi/app.h"
#include "fcgi/http.h"

namespace fcgi {

// Runs one request through identity and microversion checks, routing, the
// handler, and error translation. Never throws.
Response dispatch(App& app, Request& request);

}  // namespace fcgi
