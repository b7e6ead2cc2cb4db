#include "fcgi/curl_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace fcgi {
namespace {

struct Transfer {
    CurlResponse* response;
    std::size_t max_body_bytes;
    bool too_large = false;
};

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    if (transfer->response->body.size() + bytes > transfer->max_body_bytes) {
        transfer->too_large = true;
        return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
    }
    transfer->response->body.append(data, bytes);
    return bytes;
}

// Called once per header line, status lines included. A new status line
// (an interim 100 response, for example) starts a new header set.
size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    const std::string line(data, bytes);
    if (line.rfind("HTTP/", 0) == 0) {
        transfer->response->headers.clear();
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        transfer->response->headers[lowered(trimmed(line.substr(0, colon)))] = trimmed(line.substr(colon + 1));
    }
    return bytes;
}

void initializeLibcurl() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
    });
}

}  // namespace

std::optional<std::string> CurlResponse::header(const std::string& lower_name) const {
    const auto found = headers.find(lower_name);
    if (found == headers.end()) return std::nullopt;
    return found->second;
}

CurlClient::CurlClient(CurlSettings settings) : settings_(std::move(settings)) {
    initializeLibcurl();
    handle_ = curl_easy_init();
    if (handle_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

CurlClient::~CurlClient() {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
}

CurlResponse CurlClient::get(const std::string& url, const std::vector<std::string>& headers) {
    return perform(url, headers, nullptr);
}

CurlResponse CurlClient::post(const std::string& url, const std::vector<std::string>& headers, std::string_view body) {
    return perform(url, headers, &body);
}

CurlResponse CurlClient::perform(const std::string& url, const std::vector<std::string>& headers,
                                 const std::string_view* body) {
    CurlResponse response;
    Transfer transfer{&response, settings_.max_body_bytes};

    curl_slist* header_list = nullptr;
    for (const auto& line : headers) header_list = curl_slist_append(header_list, line.c_str());
    // No "Expect: 100-continue" round trip before a POST body.
    if (body != nullptr) header_list = curl_slist_append(header_list, "Expect:");

    // The handle keeps its connection cache across resets.
    curl_easy_reset(handle_);
    curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(handle_, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(handle_, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    // Timeouts without SIGALRM: the worker owns its signal handlers.
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, settings_.timeout_ms);
    curl_easy_setopt(handle_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYPEER, settings_.verify_tls ? 1L : 0L);
    curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYHOST, settings_.verify_tls ? 2L : 0L);
    if (!settings_.ca_file.empty()) curl_easy_setopt(handle_, CURLOPT_CAINFO, settings_.ca_file.c_str());
    curl_easy_setopt(handle_, CURLOPT_USERAGENT, "barbican-fcgi");
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &transfer);
    if (body != nullptr) {
        curl_easy_setopt(handle_, CURLOPT_POST, 1L);
        curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    } else {
        curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
    }

    const CURLcode code = curl_easy_perform(handle_);
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(header_list);

    if (code != CURLE_OK) {
        response.status = 0;
        response.error = transfer.too_large
                             ? "response body larger than " + std::to_string(settings_.max_body_bytes) + " bytes"
                             : std::string(curl_easy_strerror(code));
        response.body.clear();
        response.headers.clear();
        return response;
    }
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

}  // namespace fcgi
