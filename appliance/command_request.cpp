// inkan request check FILE --action issue|renew|revoke [--institution O] [--json]:
// validates a request file offline (no HSM) with the same report the upload API
// returns (with --institution, as that institution's RA operator would upload it).
#include <filesystem>
#include <iostream>

#include "appliance/cli.h"
#include "appliance/config.h"
#include "appliance/policy_context.h"
#include "common/error.h"
#include "store/sqlite_certificate_store.h"

namespace inkan::appliance {
namespace {

struct CheckOptions {
    std::string file;
    std::string action = "issue";
    std::string on_error = "abort";
    std::string institution;
    bool json = false;
};

}  // namespace

void add_request_submit_command(CLI::App& request, const GlobalOptions& global, int& exit_code);

void add_request_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* cmd = app.add_subcommand("request", "request files (TSV)");
    cmd->require_subcommand(1);
    auto o = std::make_shared<CheckOptions>();
    auto* check = cmd->add_subcommand(
        "check", "validate a request file offline; exit 0 if it has no error, 1 otherwise");
    check->add_option("file", o->file, "the TSV request file (Shift_JIS or UTF-8)")->required();
    check->add_option("--action", o->action, "issue, renew or revoke")
        ->check(CLI::IsMember({"issue", "renew", "revoke"}));
    check->add_option("--on-error", o->on_error, "abort or skip (what the upload would accept)")
        ->check(CLI::IsMember({"abort", "skip"}));
    check->add_option(
        "--institution", o->institution,
        "the uploading RA operator's institution: every row's O must be it (as the upload checks)");
    check->add_flag("--json", o->json, "print the report as JSON");
    check->callback([&global, o, &exit_code] {
        Config config = load_config(global.state_dir, global.config_file);
        std::filesystem::create_directories(config.state_dir);
        store::Database db(config.database_path().string());
        store::SqliteCertificateStore certificates(db);
        PolicyContext policy(config, db, certificates);
        policy::CheckContext context = policy.context();
        if (!o->institution.empty()) context.institution = o->institution;
        exit_code =
            policy::run_request_check(o->file, *policy::parse_action(o->action), o->json, context,
                                      std::cout, *policy::parse_error_mode(o->on_error));
    });
    add_request_submit_command(*cmd, global, exit_code);
}

}  // namespace inkan::appliance
