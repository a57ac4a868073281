// inkan operator add|list: RA operators and their client certificates.
#include <filesystem>
#include <iostream>

#include "appliance/audit_log.h"
#include "appliance/bootstrap.h"
#include "appliance/cli.h"
#include "common/error.h"
#include "store/sqlite_certificate_store.h"
#include "store/sqlite_operator_store.h"

namespace inkan::appliance {
namespace {

struct AddOptions {
    std::string name;
    std::string institution;
    std::string email;
    std::string role = "ra_operator";
    std::string handover_dir;
};

}  // namespace

void add_operator_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* op = app.add_subcommand("operator", "RA operators and service admins");
    op->require_subcommand(1);
    auto o = std::make_shared<AddOptions>();
    auto* add = op->add_subcommand("add", "issue a client certificate for a new operator");
    add->add_option("--name", o->name, "operator name (CN, file names)")->required();
    add->add_option("--institution", o->institution, "institution (O value)")->required();
    add->add_option("--email", o->email, "operator's mail address (notification mails go there)")
        ->required();
    add->add_option("--role", o->role, "ra_operator or service_admin")
        ->check(CLI::IsMember({"ra_operator", "service_admin"}));
    add->add_option("--handover", o->handover_dir,
                    "folder (outside the state) for the PKCS#12 and its password file; default: "
                    "the P12 in <state>/operators, the password shown once");
    add->callback([&global, o, &exit_code] {
        Config config = load_config(global.state_dir, global.config_file);
        auto services = open_services(config);
        const auto role = parse_operator_role(o->role).value();  // IsMember checked it
        auto cred =
            create_operator(*services, o->name, o->institution, o->email, role, o->handover_dir);
        print_handover(cred, std::cout);
        exit_code = kExitOk;
    });
    auto reason = std::make_shared<int>(1);
    auto* revoke = op->add_subcommand(
        "revoke", "revoke an operator's client certificate (the API refuses it at once)");
    revoke->add_option("--name", o->name, "operator name")->required();
    revoke
        ->add_option("--reason", *reason,
                     "RFC 5280 reason: 1 keyCompromise, 3 affiliationChanged, 4 superseded, 5 "
                     "cessationOfOperation")
        ->check(CLI::IsMember({1, 3, 4, 5}));
    revoke->callback([&global, o, reason, &exit_code] {
        Config config = load_config(global.state_dir, global.config_file);
        store::Database db(config.database_path().string());
        store::SqliteOperatorStore ops(db);
        store::SqliteCertificateStore certificates(db);
        auto record = ops.find_by_name(o->name);
        if (!record) {
            throw Error(ErrorCategory::NotFound, "operator_not_found",
                        "no operator named '" + o->name + "'");
        }
        AuditLog audit(db, nullptr, config.audit.checkpoint_interval);
        audit.record("operator_revoked", {{"by", "inkan operator revoke (CLI)"},
                                          {"name", o->name},
                                          {"serial_hex", record->certificate_serial},
                                          {"reason", *reason}});
        certificates.revoke(record->certificate_serial, *reason, std::nullopt, store::unix_now());
        std::cout << "revoked the certificate of operator '" << o->name << "' (serial "
                  << record->certificate_serial << ")\n";
        exit_code = kExitOk;
    });
    auto* list = op->add_subcommand("list", "list operators");
    list->callback([&global, &exit_code] {
        Config config = load_config(global.state_dir, global.config_file);
        store::Database db(config.database_path().string());
        store::SqliteOperatorStore ops(db);
        for (const auto& r : ops.list()) {
            std::cout << r.name << "\t" << r.institution << "\t" << store::to_string(r.role)
                      << "\tcert " << r.certificate_serial << "\n";
        }
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
