// Unix seconds as UTC text, for people and files (CLI output, exports, mails).
#pragma once

#include <cstdint>
#include <string>

namespace inkan {

// strftime format over gmtime; default ISO 8601, e.g. "2026-11-29T23:28:26Z".
std::string utc_text(int64_t unix_seconds, const char* format = "%Y-%m-%dT%H:%M:%SZ");

}  // namespace inkan
