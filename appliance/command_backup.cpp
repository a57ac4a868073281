// inkan backup --out FILE [--include-pin] / inkan restore --in FILE [--force]
// [--pin-file FILE]: the security officer's backup of the state folder (see
// appliance/backup.h for what is in it and what is not).
#include <iostream>

#include "appliance/backup.h"
#include "appliance/cli.h"

namespace inkan::appliance {

void add_backup_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto b = std::make_shared<BackupOptions>();
    auto* backup = app.add_subcommand(
        "backup",
        "write one tar.gz of the state folder (database by SQLite online backup, safe while "
        "serve runs; the embedded SoftHSM token; inkan.json; CA, TLS and mail signing "
        "certificates; mail templates; audit log) with a SHA-256 manifest. A real HSM's keys "
        "are not in it: use the HSM's own backup");
    backup->add_option("--out", b->out, "the archive to write (must not exist)")->required();
    backup->add_flag("--include-pin", b->include_pin,
                     "also store the HSM user PIN (default: not; restore then needs --pin-file "
                     "or INKAN_HSM_PIN)");
    backup->callback([&global, b, &exit_code] {
        auto summary = create_backup(load_config(global.state_dir, global.config_file), *b);
        std::cout << "backup: " << b->out.string() << " (" << summary.files.size()
                  << " files, database schema " << summary.schema_version << ")\n";
        if (summary.embedded_token) {
            std::cout << "  holds the embedded SoftHSM token (the CA key): keep it as safe as "
                         "the token\n";
        } else {
            std::cout << "  holds no HSM keys: back the HSM up with its own procedure\n";
        }
        std::cout << (summary.includes_pin
                          ? "  holds the HSM user PIN\n"
                          : "  holds no HSM user PIN: keep <state>/hsm-user-pin apart; restore "
                            "needs --pin-file or INKAN_HSM_PIN\n");
        exit_code = kExitOk;
    });

    auto r = std::make_shared<RestoreOptions>();
    auto* restore = app.add_subcommand(
        "restore",
        "restore a backup into the state folder (--state-dir): checks every file against the "
        "manifest first, refuses a folder that is not empty without --force, then checks the "
        "appliance opens (PIN logs in, CA key present). Stop inkan serve first");
    restore->add_option("--in", r->in, "the archive `inkan backup` wrote")->required();
    restore->add_flag("--force", r->force, "replace what the state folder holds");
    restore->add_option("--pin-file", r->pin_file,
                        "the HSM user PIN (first line) for a backup made without --include-pin; "
                        "or set INKAN_HSM_PIN");
    restore->callback([&global, r, &exit_code] {
        r->state_dir = global.state_dir;
        auto summary = restore_backup(*r);
        std::cout << "restored " << summary.files.size() << " files into " << global.state_dir
                  << "; CA " << summary.ca_subject << " opens with its key in the HSM\n";
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
