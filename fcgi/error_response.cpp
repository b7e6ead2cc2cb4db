#include "fcgi/error_response.h"

#include <boost/json/object.hpp>

namespace fcgi {

int statusFor(core::ErrorKind kind) {
    switch (kind) {
    case core::ErrorKind::InvalidInput: return 400;
    case core::ErrorKind::Forbidden: return 403;
    case core::ErrorKind::NotFound: return 404;
    case core::ErrorKind::MethodNotAllowed: return 405;
    case core::ErrorKind::NotAcceptable: return 406;
    case core::ErrorKind::Conflict: return 409;
    case core::ErrorKind::TooLarge: return 413;
    case core::ErrorKind::UnsupportedMediaType: return 415;
    case core::ErrorKind::Unavailable: return 503;
    case core::ErrorKind::Internal: return 500;
    }
    return 500;
}

std::string_view reasonPhrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 300: return "Multiple Choices";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

namespace {

// Replaces every byte that is not part of a valid UTF-8 sequence with '?'.
// Descriptions may quote client input, and JSON must stay valid UTF-8.
std::string validUtf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        size_t length = byte < 0x80 ? 1 : (byte & 0xe0) == 0xc0 ? 2 : (byte & 0xf0) == 0xe0 ? 3 : (byte & 0xf8) == 0xf0 ? 4 : 0;
        bool valid = length > 0 && i + length <= text.size();
        char32_t code = length == 1 ? byte : length == 2 ? (byte & 0x1f) : length == 3 ? (byte & 0x0f) : (byte & 0x07);
        for (size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xc0) == 0x80;
            code = (code << 6) | (next & 0x3f);
        }
        static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (valid && (code < kMinimum[length] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)) valid = false;
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out.push_back('?');
            ++i;
        }
    }
    return out;
}

}  // namespace

Response errorResponse(int status, std::string_view description) {
    boost::json::object body;
    body["code"] = status;
    body["title"] = reasonPhrase(status);
    body["description"] = validUtf8(description);
    return jsonResponse(status, body);
}

Response errorResponse(const core::Error& error) {
    const int status = statusFor(error.kind());
    if (status == 500) return errorResponse(500, "Internal failure seen - please contact site administrator.");
    return errorResponse(status, error.what());
}

}  // namespace fcgi
