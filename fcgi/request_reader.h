#pragma once

#include <fcgiapp.h>

#include "core/config.h"
#include "fcgi/http.h"

namespace fcgi {

// Builds a Request from the FastCGI parameters and body of `fcgx`. Throws
// core::Error for a request that cannot be read.
void readRequest(FCGX_Request& fcgx, const core::Config& config, Request& request);

// Writes status line, headers (with Content-Length) and body.
void writeResponse(FCGX_Request& fcgx, const Response& response);

// Decodes %XX escapes of a URL path; invalid escapes stay as they are.
std::string percentDecodePath(std::string_view raw);

}  // namespace fcgi
