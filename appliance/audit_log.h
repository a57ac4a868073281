// The appliance's audit trail: one JSON object per line in <state>/audit.log
// (0600): who asked for what, and what came of it. Never a PIN, password,
// URL token or key — only ids, serials, subjects and error codes.
#pragma once

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace inkan::appliance {

class AuditLog {
  public:
    explicit AuditLog(const std::filesystem::path& file);
    // Appends {"time": ISO-8601 UTC, "event": event, ...fields}.
    void record(const std::string& event, nlohmann::json fields);

  private:
    std::mutex mutex_;
    std::ofstream out_;
};

}  // namespace inkan::appliance
