// The appliance's log: one JSON object a line on stderr (journald reads it),
// through spdlog (Debian libspdlog-dev): {"time": UTC with milliseconds,
// "level": "info"|"warning"|"error", "message": ..., then the fields given}.
// A request's line carries request_id, listener, method, route, status and
// duration_ms (api/request_tracing.h); an error's carries its cause. Never log
// a PIN, key, password or token (README "Logs").
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace inkan::log {

// Extra fields of one line: a JSON object (null: none).
using Fields = nlohmann::json;

void info(std::string_view message, const Fields& fields = nullptr) noexcept;
void warn(std::string_view message, const Fields& fields = nullptr) noexcept;
void error(std::string_view message, const Fields& fields = nullptr) noexcept;

// The JSON text of one line without the time and level spdlog adds: the
// message, then the fields (non-object fields go under "detail").
std::string body(std::string_view message, const Fields& fields);

}  // namespace inkan::log
