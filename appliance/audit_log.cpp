#include "appliance/audit_log.h"

#include <chrono>
#include <ctime>

#include "common/error.h"

namespace inkan::appliance {

AuditLog::AuditLog(const std::filesystem::path& file) {
    bool existed = std::filesystem::exists(file);
    out_.open(file, std::ios::app);
    if (!out_) {
        throw Error(ErrorCategory::Unavailable, "audit_log_unwritable",
                    "cannot open the audit log " + file.string());
    }
    if (!existed) {
        std::filesystem::permissions(
            file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
            std::filesystem::perm_options::replace);
    }
}

void AuditLog::record(const std::string& event, nlohmann::json fields) {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    nlohmann::json line = {{"time", stamp}, {"event", event}};
    line.update(fields);
    std::lock_guard lock(mutex_);
    out_ << line.dump() << '\n';
    out_.flush();
}

}  // namespace inkan::appliance
