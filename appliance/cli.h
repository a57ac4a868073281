// `inkan` subcommands. Each returns the process exit code; errors are thrown
// as inkan::Error and translated once in main.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace inkan::appliance {

struct GlobalOptions {
    std::string state_dir = "state";
    std::string config_file;
};

// Exit codes (documented in the README).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      // the command ran and said no (e.g. a bad request file)
inline constexpr int kExitUsage = 2;        // bad arguments or configuration
inline constexpr int kExitHsm = 3;          // HSM missing, wrong PIN, key missing
inline constexpr int kExitState = 4;        // state missing or inconsistent (no CA yet, ...)
inline constexpr int kExitUnavailable = 5;  // store, network or port unavailable
inline constexpr int kExitInternal = 70;

void add_init_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_serve_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_hsm_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_ca_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_operator_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_institution_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_crl_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_revoke_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_mail_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_request_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_stats_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_backup_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_audit_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);

}  // namespace inkan::appliance
