#pragma once

#include <string_view>

#include "core/error.h"
#include "fcgi/http.h"

namespace fcgi {

// HTTP status of each core::ErrorKind. This is the only place where error
// kinds meet status codes.
int statusFor(core::ErrorKind kind);

// Reason phrase of an HTTP status, e.g. "Not Found".
std::string_view reasonPhrase(int status);

// Barbican's error body {"code", "title", "description"} with the status.
Response errorResponse(int status, std::string_view description);
Response errorResponse(const core::Error& error);

}  // namespace fcgi
