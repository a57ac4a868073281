#include "api/problem.h"

#include <nlohmann/json.hpp>

namespace inkan::api {

int http_status(ErrorCategory category) {
    switch (category) {
        case ErrorCategory::InvalidInput:
            return 400;
        case ErrorCategory::Unauthorized:
            return 401;
        case ErrorCategory::Forbidden:
            return 403;
        case ErrorCategory::NotFound:
            return 404;
        case ErrorCategory::Conflict:
            return 409;
        case ErrorCategory::Gone:
            return 410;
        case ErrorCategory::TooLarge:
            return 413;
        case ErrorCategory::Unsupported:
            return 422;
        case ErrorCategory::Locked:
            return 423;
        case ErrorCategory::HsmUnavailable:
            return 503;
        case ErrorCategory::Unavailable:
            return 503;
        case ErrorCategory::Internal:
            return 500;
    }
    return 500;
}

Problem to_problem(const Error& error) {
    if (error.category() == ErrorCategory::Internal) return internal_problem("");
    nlohmann::json body = {{"code", error.code()},
                           {"category", to_string(error.category())},
                           {"message", error.what()}};
    Problem p{http_status(error.category()), body.dump()};
    if (p.status == 503) {
        p.retry_after_seconds = error.retry_after_seconds() > 0 ? error.retry_after_seconds()
                                                                : kDefaultRetryAfterSeconds;
    }
    return p;
}

Problem internal_problem(const std::string& incident) {
    nlohmann::json body = {
        {"code", "internal_error"},
        {"category", "internal"},
        {"message", incident.empty()
                        ? "internal error; see the appliance log"
                        : "internal error (incident " + incident +
                              "): tell the appliance's operator this incident id; the cause "
                              "is in the appliance log under it (request_id)"}};
    if (!incident.empty()) {
        body["incident"] = incident;
        body["request_id"] = incident;  // the same id: X-Request-Id and the log's request_id
    }
    return {500, body.dump()};
}

}  // namespace inkan::api
