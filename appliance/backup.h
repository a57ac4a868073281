// `inkan backup` / `inkan restore`: one tar.gz holding what a CA appliance
// cannot be rebuilt without — the database (SQLite online backup, safe while
// `inkan serve` runs), the embedded SoftHSM token directory, inkan.json, the CA,
// TLS and mail signing certificates (and the TLS key), the mail templates and
// the audit log — and a manifest (manifest.json) with every member's SHA-256.
//
// A real HSM's keys are never in it: the HSM's own backup procedure applies.
// The HSM user PIN is in it only when asked for (include_pin).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "appliance/config.h"

namespace inkan::appliance {

inline constexpr int kBackupFormatVersion = 1;
inline constexpr const char* kBackupManifestName = "manifest.json";

struct BackupOptions {
    std::filesystem::path out;
    bool include_pin = false;
};

struct BackupSummary {
    std::vector<std::string> files;  // member names, manifest excluded
    int schema_version = 0;
    bool embedded_token = false;  // false: a real HSM, whose keys are not in the backup
    bool includes_pin = false;
};

BackupSummary create_backup(const Config& config, const BackupOptions& options);

struct RestoreOptions {
    std::filesystem::path in;
    std::filesystem::path state_dir;
    bool force = false;              // replace a state folder that is not empty
    std::filesystem::path pin_file;  // the HSM user PIN, when the backup holds none
};

struct RestoreSummary {
    std::vector<std::string> files;
    std::string ca_subject;
    size_t certificates = 0;
};

// Verifies every member against the manifest before writing anything, restores
// into options.state_dir, then opens the result as `inkan serve` would (PIN
// logs in, CA key present). Errors: backup_tampered / backup_invalid /
// backup_corrupt (InvalidInput), restore_target_not_empty (Conflict),
// restore_pin_missing (InvalidInput), restore_check_failed (the open's category).
RestoreSummary restore_backup(const RestoreOptions& options);

}  // namespace inkan::appliance
