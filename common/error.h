// The one project error type. Every layer throws inkan::Error; each boundary
// (HTTP, CLI) translates the category exactly once (api/problem.cpp,
// appliance/main.cpp). The category list is append-only.
#pragma once

#include <stdexcept>
#include <string>

namespace inkan {

enum class ErrorCategory {
    InvalidInput,    // the caller sent something malformed or against policy (400/422)
    Unauthorized,    // no credentials (401)
    Forbidden,       // credentials known but not allowed, or revoked (403)
    NotFound,        // unknown serial, batch, token (404)
    Conflict,        // duplicate, already used (409)
    Gone,            // expired or consumed URL (410)
    TooLarge,        // body or file over a configured limit (413)
    Unsupported,     // key type, media type or encoding not supported (415/422)
    Locked,          // too many failed attempts (423)
    HsmUnavailable,  // token missing, login failed, device error (503)
    Unavailable,     // a dependency (WHOIS, store) could not be reached (503)
    Internal,        // a bug or an unexpected library failure (500)
};

const char* to_string(ErrorCategory category) noexcept;

class Error : public std::runtime_error {
  public:
    // code: stable, machine-readable, snake_case (e.g. "csr_bad_signature").
    // message: for humans; must never contain a PIN, key or password.
    Error(ErrorCategory category, std::string code, const std::string& message)
        : std::runtime_error(message), category_(category), code_(std::move(code)) {}
    // A temporary failure (HsmUnavailable, Unavailable) that names when to try
    // again: HTTP answers it as Retry-After.
    Error(ErrorCategory category, std::string code, const std::string& message,
          int retry_after_seconds)
        : std::runtime_error(message),
          category_(category),
          code_(std::move(code)),
          retry_after_seconds_(retry_after_seconds) {}

    ErrorCategory category() const noexcept { return category_; }
    const std::string& code() const noexcept { return code_; }
    // Seconds after which a retry may succeed; 0 = not said.
    int retry_after_seconds() const noexcept { return retry_after_seconds_; }

  private:
    ErrorCategory category_;
    std::string code_;
    int retry_after_seconds_ = 0;
};

}  // namespace inkan
