// inkan audit verify: checks the audit chain (README "Audit trail") with the
// audit key's public half from the HSM; exit 0 when intact, 1 at the first
// edited, removed or reordered record.
#include <iostream>
#include <nlohmann/json.hpp>

#include "appliance/audit_verify.h"
#include "appliance/cli.h"
#include "appliance/services.h"
#include "common/error.h"
#include "hsm/keys.h"

namespace inkan::appliance {
namespace {

int run_verify(const GlobalOptions& global, bool as_json) {
    Config config = load_config(global.state_dir, global.config_file);
    if (config.hsm.audit_key_id.empty()) {
        throw Error(ErrorCategory::NotFound, "audit_key_missing",
                    "no audit key is configured (hsm.audit_key_id); `inkan serve` or `inkan "
                    "init` makes it");
    }
    auto token = open_token(config);
    ca::HsmSigner audit_key(*token, audit_key_lookup(config));
    store::Database db(config.database_path().string());
    store::SqliteAuditStore store(db);
    AuditVerdict v = verify_audit_chain(store, audit_key.public_key());
    if (as_json) {
        nlohmann::json j = {{"intact", v.intact},
                            {"records", v.records},
                            {"checkpoints", v.checkpoints},
                            {"last_signed_record", v.last_signed_seq},
                            {"unsigned_records", v.unsigned_tail}};
        if (!v.intact) {
            j["first_bad_record"] = v.first_bad_seq;
            j["problem"] = v.problem;
        }
        std::cout << j.dump(2) << "\n";
    } else if (v.intact) {
        std::cout << "audit chain intact: " << v.records << " record(s), " << v.checkpoints
                  << " signed checkpoint(s), the latest at record " << v.last_signed_seq << "; "
                  << v.unsigned_tail << " record(s) after it not yet signed\n";
    } else {
        std::cout << "audit chain BROKEN at record " << v.first_bad_seq << ": " << v.problem
                  << "\n";
    }
    return v.intact ? kExitOk : kExitFailure;
}

}  // namespace

void add_audit_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* audit = app.add_subcommand("audit", "the audit trail (hash chain, signed checkpoints)");
    audit->require_subcommand(1);
    auto as_json = std::make_shared<bool>(false);
    auto* verify = audit->add_subcommand(
        "verify",
        "walk the audit chain and its checkpoints (signatures checked with the audit key in the "
        "HSM); exit 1 at the first edited, removed or reordered record");
    verify->add_flag("--json", *as_json, "print the verdict as JSON");
    verify->callback([&global, as_json, &exit_code] { exit_code = run_verify(global, *as_json); });
}

}  // namespace inkan::appliance
