// inkan init / inkan ca import-cert: the security officer's first start.
#include <filesystem>
#include <iostream>

#include "appliance/bootstrap.h"
#include "appliance/cli.h"
#include "common/error.h"

namespace inkan::appliance {
namespace fs = std::filesystem;
namespace {

struct InitOptions {
    std::string csr_path;
    std::string key_type;
    std::string subject;
    std::string token_label;
    std::string module_path;
    std::string operator_name = "ra-operator";
    std::string operator_email;  // default: <operator_name>@<the domain of mail.from>
    std::string institution;
    std::string handover_dir;  // where the first operator's P12 (+ password) goes
    bool if_needed = false;
};

void print_demo_institution(const policy::Institution& demo) {
    std::cout << "Demo institution '" << demo.name
              << "' (for the demo only; see README \"Try it\"):\n"
              << "  ST=" << demo.state.value_or("") << ", L=" << demo.locality.value_or("") << ", "
              << kDemoDomain << " approved until " << kDemoApprovalExpires << "\n"
              << "  WHOIS: " << policy::to_string(demo.whois_source)
              << " (no registry lookup for reserved example names such as " << kDemoDomain
              << "; any other domain is looked up)\n";
}

// After the CA certificate is in place: the HTTPS certificate, a first RA
// operator when there is none yet, and (self-signed embedded default) the demo
// institution when absent.
// The first operator's mail address (download-completed mails go there): given,
// else <name>@<the domain of mail.from>.
std::string first_operator_email(const Config& config, const std::string& operator_name,
                                 const std::string& given) {
    if (!given.empty()) return given;
    return operator_name + config.mail.from.substr(config.mail.from.find('@'));
}

void finish_bootstrap(const Config& config, const std::string& operator_name,
                      const std::string& operator_email, const std::string& institution, bool demo,
                      const std::string& handover_dir) {
    auto services = open_services(config);
    ensure_tls_certificate(*services);
    ensure_mail_signer(*services);
    std::cout << "CA certificate:      " << fs::absolute(config.ca_certificate_path()).string()
              << "\n"
              << "Mail signing cert:   "
              << fs::absolute(config.mail_signer_certificate_path()).string() << " ("
              << services->mail_signer().address() << ", key in the HSM)\n";
    if (services->operators->list().empty()) {
        auto cred = create_operator(*services, operator_name, institution, operator_email,
                                    store::OperatorRole::RaOperator, handover_dir);
        std::cout << "RA operator '" << operator_name << "' (" << institution << ", "
                  << operator_email << "):\n";
        print_handover(cred, std::cout);
    }
    if (demo) {
        auto registered = ensure_demo_institution(services->policy->registry(), institution);
        if (registered) print_demo_institution(*registered);
    }
}

void run_init(const GlobalOptions& global, const InitOptions& o) {
    Config config = load_config(global.state_dir, global.config_file);
    if (!o.key_type.empty()) config.ca.key_type = o.key_type;
    if (!o.subject.empty()) config.ca.subject = o.subject;
    if (!o.token_label.empty()) config.hsm.token_label = o.token_label;
    if (!o.module_path.empty()) {
        config.hsm.module_path = o.module_path;
        if (o.module_path.find("softhsm") == std::string::npos) config.hsm.softhsm_conf.clear();
    }
    if (fs::exists(config.ca_certificate_path())) {
        if (o.if_needed) {
            std::cout << "already initialised: " << fs::absolute(config.state_dir).string() << "\n"
                      << "CA certificate:      "
                      << fs::absolute(config.ca_certificate_path()).string() << "\n"
                      << "operator credentials were handed over at the first init "
                         "(certificates: "
                      << fs::absolute(config.operators_dir()).string() << ")\n";
            return;
        }
        throw Error(
            ErrorCategory::Conflict, "already_initialised",
            "the state folder " + config.state_dir.string() + " already has a CA certificate");
    }
    std::string so_pin = prepare_token_and_ca_key(config);
    save_config(config);
    if (!so_pin.empty()) {
        std::cout << "Created SoftHSM token '" << config.hsm.token_label << "'.\n"
                  << "Security officer PIN (shown once, store it offline): " << so_pin << "\n"
                  << "User PIN file: " << fs::absolute(config.hsm.pin_file).string() << "\n";
    }
    std::cout << "CA key '" << config.hsm.ca_key_label << "' (" << config.ca.key_type
              << ") is in the HSM, id " << config.hsm.ca_key_id << ".\n";
    if (!o.csr_path.empty()) {
        write_ca_csr(config, o.csr_path);
        std::cout << "CSR for the external root: " << fs::absolute(o.csr_path).string() << "\n"
                  << "When it is signed, run: inkan ca import-cert SIGNED.pem\n";
        return;
    }
    write_self_signed_ca(config);
    // The demo institution only for the embedded default's own institution:
    // `--institution` names a real one, `--csr` means an external root.
    bool demo = o.institution.empty() || o.institution == config.bootstrap_institution;
    finish_bootstrap(config, o.operator_name,
                     first_operator_email(config, o.operator_name, o.operator_email),
                     demo ? config.bootstrap_institution : o.institution, demo, o.handover_dir);
}

}  // namespace

void add_init_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto o = std::make_shared<InitOptions>();
    auto* cmd = app.add_subcommand(
        "init",
        "create the HSM token (embedded SoftHSM), the CA key and certificate, the HTTPS "
        "certificate, a first RA operator and (self-signed, default institution) the demo "
        "institution");
    cmd->add_option(
        "--csr", o->csr_path,
        "write a CSR for an external root instead of self-signing (then: inkan ca import-cert)");
    cmd->add_option("--key-type", o->key_type,
                    "CA key: rsa-2048|rsa-3072|rsa-4096|ec-p256|ec-p384");
    cmd->add_option("--subject", o->subject, "CA subject, e.g. \"CN=Inkan Root CA,O=Inkan,C=JP\"");
    cmd->add_option("--token-label", o->token_label, "HSM token label");
    cmd->add_option("--module", o->module_path, "PKCS#11 module path");
    cmd->add_option("--operator", o->operator_name, "name of the first RA operator");
    cmd->add_option("--operator-email", o->operator_email,
                    "mail address of the first RA operator (default: <operator>@<domain of "
                    "mail.from>)");
    cmd->add_option("--institution", o->institution, "institution of the first RA operator");
    cmd->add_option("--handover", o->handover_dir,
                    "folder (outside the state) for the first operator's PKCS#12 and its password "
                    "file, for the security officer to carry away; default: the P12 in "
                    "<state>/operators, the password shown once");
    cmd->add_flag("--if-needed", o->if_needed, "do nothing (exit 0) when already initialised");
    cmd->callback([&global, o, &exit_code] {
        run_init(global, *o);
        exit_code = kExitOk;
    });
}

void add_ca_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* ca = app.add_subcommand("ca", "CA certificate management");
    ca->require_subcommand(1);
    auto path = std::make_shared<std::string>();
    auto operator_name = std::make_shared<std::string>("ra-operator");
    auto handover = std::make_shared<std::string>();
    auto* imp = ca->add_subcommand(
        "import-cert",
        "install the issuing-CA certificate an external root signed (after init --csr)");
    imp->add_option("file", *path, "PEM: the issuing-CA certificate, then its chain to the root")
        ->required();
    imp->add_option("--operator", *operator_name, "name of the first RA operator");
    imp->add_option("--handover", *handover,
                    "folder for the first operator's PKCS#12 and password file (see init)");
    imp->callback([&global, path, operator_name, handover, &exit_code] {
        Config config = load_config(global.state_dir, global.config_file);
        import_ca_certificate(config, *path);
        std::cout << "Issuing-CA certificate installed.\n";
        finish_bootstrap(config, *operator_name, first_operator_email(config, *operator_name, ""),
                         config.bootstrap_institution, false, *handover);
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
