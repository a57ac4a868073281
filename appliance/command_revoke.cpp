// inkan revoke --serial N --reason R [--comment C]: the security officer revokes
// one certificate at once (e.g. a key compromise reported by phone) and a new CRL
// is signed in the HSM and stored, served at once by a running `inkan serve`.
#include <iostream>

#include "appliance/cli.h"
#include "appliance/services.h"
#include "common/error.h"

namespace inkan::appliance {
namespace {

struct RevokeOptions {
    std::string serial;
    int reason = -1;
    std::string comment;
};

void revoke(const Config& config, const RevokeOptions& o) {
    if (o.reason == 0 && o.comment.empty()) {
        throw Error(ErrorCategory::InvalidInput, "revocation_comment_required",
                    "reason 0 (unspecified) needs --comment saying why");
    }
    auto services = open_services(config);
    auto record = services->certificates->find(ca::serial_key_of_text(o.serial));
    if (!record) {
        throw Error(
            ErrorCategory::NotFound, "certificate_not_found",
            "this CA issued no certificate with serial " + o.serial + " (decimal, or hex with 0x)");
    }
    std::optional<std::string> comment;
    if (!o.comment.empty()) comment = o.comment;
    nlohmann::json fields = {{"by", "inkan revoke (CLI)"},
                             {"serial", record->serial_dec},
                             {"serial_hex", record->serial_hex},
                             {"subject", record->subject},
                             {"reason", o.reason}};
    services->audit->record("certificate_revoked", fields);  // before: Dogtag's rule
    services->certificates->revoke(record->serial_hex, o.reason, comment, store::unix_now());
    auto crl = services->crl_publisher->regenerate();
    std::cout << "revoked serial " << record->serial_dec << " (0x" << record->serial_hex << ") "
              << record->subject << ", reason " << o.reason << "\n"
              << "CRL number " << crl.number << " lists it (" << crl.revoked_count
              << " revoked certificate(s)); OCSP answers revoked now\n";
}

}  // namespace

void add_revoke_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto o = std::make_shared<RevokeOptions>();
    auto* cmd = app.add_subcommand(
        "revoke", "revoke one certificate now and publish a new CRL (security officer)");
    cmd->add_option("--serial", o->serial, "the serial: decimal, or hex with 0x")->required();
    cmd->add_option("--reason", o->reason,
                    "RFC 5280 reason: 0 unspecified (with --comment), 1 keyCompromise, "
                    "3 affiliationChanged, 4 superseded, 5 cessationOfOperation")
        ->required()
        ->check(CLI::IsMember({0, 1, 3, 4, 5}));
    cmd->add_option("--comment", o->comment, "why (kept with the revocation)");
    cmd->callback([&global, o, &exit_code] {
        revoke(load_config(global.state_dir, global.config_file), *o);
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
