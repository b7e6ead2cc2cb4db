#pragma once

#include <stdexcept>
#include <string>

namespace core {

// Protocol-neutral failure classes. The mapping to HTTP status codes lives
// only in fcgi/error_response.cpp.
enum class ErrorKind {
    InvalidInput,          // the request is malformed or violates a rule
    Forbidden,             // policy, ACL or quota denies the caller
    NotFound,              // unknown, malformed, deleted or expired resource
    MethodNotAllowed,      // the path exists but not with this method
    NotAcceptable,         // Accept cannot be satisfied, bad microversion
    Conflict,              // the write collides with existing state
    TooLarge,              // payload or body over its configured limit
    UnsupportedMediaType,  // wrong request Content-Type
    Unavailable,           // a backing service (database, Redis) is down
    Internal,              // a bug or an unexpected state
};

// Error thrown through every layer. `what()` returns the client-safe
// description; `logDetail()` carries extra context for the log only and must
// never hold key material or payload bytes.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string description, std::string log_detail = {})
        : std::runtime_error(std::move(description)), kind_(kind), log_detail_(std::move(log_detail)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string& logDetail() const noexcept { return log_detail_; }

private:
    ErrorKind kind_;
    std::string log_detail_;
};

[[noreturn]] inline void throwInvalid(std::string description) {
    throw Error(ErrorKind::InvalidInput, std::move(description));
}

[[noreturn]] inline void throwNotFound(std::string description) {
    throw Error(ErrorKind::NotFound, std::move(description));
}

}  // namespace core
