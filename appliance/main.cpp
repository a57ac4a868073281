// inkan: the appliance's one executable. Errors are translated to messages and
// exit codes here, once.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <iostream>

#include "appliance/cli.h"
#include "common/error.h"

using namespace inkan;
using namespace inkan::appliance;

namespace {

int exit_code_for(const Error& e) {
    switch (e.category()) {
        case ErrorCategory::InvalidInput:
        case ErrorCategory::Unsupported:
        case ErrorCategory::TooLarge:
            return kExitUsage;
        case ErrorCategory::HsmUnavailable:
        case ErrorCategory::Forbidden:
        case ErrorCategory::Locked:
            return kExitHsm;
        case ErrorCategory::NotFound:
        case ErrorCategory::Conflict:
        case ErrorCategory::Gone:
            return kExitState;
        case ErrorCategory::Unavailable:
            return kExitUnavailable;
        case ErrorCategory::Unauthorized:
            return kExitHsm;
        case ErrorCategory::Internal:
            return kExitInternal;
    }
    return kExitInternal;
}

}  // namespace

int main(int argc, char** argv) {
    // A client that hangs up mid-response must not kill the appliance.
    std::signal(SIGPIPE, SIG_IGN);
    // Secrets stay in this process: no core dumps, no ptrace by other processes
    // of the same user, and every file or folder it creates is its own (0600 /
    // 0700; public files such as ca.pem are made readable explicitly).
    prctl(PR_SET_DUMPABLE, 0);
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    umask(077);

    CLI::App app{"Inkan: HSM-backed CA signing appliance for client certificates"};
    app.require_subcommand(1);
    GlobalOptions global;
    app.add_option("--state-dir", global.state_dir,
                   "state folder (token, database, CA certificate)")
        ->envname("INKAN_STATE_DIR");
    app.add_option("--config", global.config_file, "config file (default <state-dir>/inkan.json)")
        ->envname("INKAN_CONFIG");
    int exit_code = kExitOk;
    add_init_command(app, global, exit_code);
    add_serve_command(app, global, exit_code);
    add_hsm_commands(app, global, exit_code);
    add_ca_commands(app, global, exit_code);
    add_operator_commands(app, global, exit_code);
    add_institution_commands(app, global, exit_code);
    add_request_commands(app, global, exit_code);
    add_crl_commands(app, global, exit_code);
    add_revoke_command(app, global, exit_code);
    add_mail_commands(app, global, exit_code);
    add_stats_command(app, global, exit_code);
    add_backup_commands(app, global, exit_code);
    add_audit_commands(app, global, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const Error& e) {
        std::cerr << "inkan: " << e.what() << " [" << e.code() << "]\n";
        return exit_code_for(e);
    } catch (const std::exception& e) {
        std::cerr << "inkan: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
    return exit_code;
}
