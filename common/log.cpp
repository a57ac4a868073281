#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace inkan::log {
namespace {

// One logger for the process, made on first use; spdlog's sink is thread-safe.
spdlog::logger& logger() {
    static const std::shared_ptr<spdlog::logger> instance = [] {
        auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        auto l = std::make_shared<spdlog::logger>("inkan", sink);
        // %v is body(): "message":...,<fields> (already JSON).
        l->set_formatter(std::make_unique<spdlog::pattern_formatter>(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc));
        l->set_level(spdlog::level::info);
        l->flush_on(spdlog::level::info);  // a crash loses no line
        return l;
    }();
    return *instance;
}

void write(spdlog::level::level_enum level, std::string_view message,
           const Fields& fields) noexcept {
    try {
        logger().log(level, "{}", body(message, fields));
    } catch (...) {  // logging never takes the caller down
    }
}

}  // namespace

std::string body(std::string_view message, const Fields& fields) {
    nlohmann::json line = {{"message", message}};
    if (fields.is_object()) {
        for (const auto& [key, value] : fields.items()) {
            if (key != "time" && key != "level" && key != "message") line[key] = value;
        }
    } else if (!fields.is_null()) {
        line["detail"] = fields;
    }
    // Invalid UTF-8 (a hostile header) is replaced, never thrown on.
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return text.substr(1, text.size() - 2);  // without the braces the pattern adds
}

void info(std::string_view message, const Fields& fields) noexcept {
    write(spdlog::level::info, message, fields);
}

void warn(std::string_view message, const Fields& fields) noexcept {
    write(spdlog::level::warn, message, fields);
}

void error(std::string_view message, const Fields& fields) noexcept {
    write(spdlog::level::err, message, fields);
}

}  // namespace inkan::log
