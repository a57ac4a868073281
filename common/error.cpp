#include "common/error.h"

namespace inkan {

const char* to_string(ErrorCategory category) noexcept {
    switch (category) {
        case ErrorCategory::InvalidInput:
            return "invalid_input";
        case ErrorCategory::Unauthorized:
            return "unauthorized";
        case ErrorCategory::Forbidden:
            return "forbidden";
        case ErrorCategory::NotFound:
            return "not_found";
        case ErrorCategory::Conflict:
            return "conflict";
        case ErrorCategory::Gone:
            return "gone";
        case ErrorCategory::TooLarge:
            return "too_large";
        case ErrorCategory::Unsupported:
            return "unsupported";
        case ErrorCategory::Locked:
            return "locked";
        case ErrorCategory::HsmUnavailable:
            return "hsm_unavailable";
        case ErrorCategory::Unavailable:
            return "unavailable";
        case ErrorCategory::Internal:
            return "internal";
    }
    return "internal";
}

}  // namespace inkan
