// The one translation of inkan::Error into HTTP: category → status, and a JSON
// body {"code": ..., "message": ...}. Internal errors never leak details.
#pragma once

#include <exception>
#include <string>

#include "common/error.h"

namespace inkan::api {

struct Problem {
    int status = 500;
    std::string body;  // JSON
    // 503: seconds for the Retry-After header (the error's own, else a default).
    int retry_after_seconds = 0;
};

// Retry-After of a 503 whose error named none.
inline constexpr int kDefaultRetryAfterSeconds = 5;

int http_status(ErrorCategory category);
Problem to_problem(const Error& error);
// For anything that is not an inkan::Error: a generic 500 (details go to the log only).
// incident: the id the appliance log names the cause under (empty: none).
Problem internal_problem(const std::string& incident = "");

}  // namespace inkan::api
