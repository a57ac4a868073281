#include "appliance/bootstrap.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "appliance/audited.h"
#include "common/error.h"
#include "common/private_files.h"
#include "hsm/key_generation.h"
#include "hsm/session_key.h"
#include "hsm/token_init.h"
#include "pki/ca_bootstrap.h"
#include "pki/encoding.h"
#include "pki/issuer.h"
#include "pki/pkcs12.h"
#include "pki/profile.h"
#include "pki/serial.h"
#include "pki/software_signer.h"
#include "policy/request_rows.h"

#ifndef INKAN_SOFTHSM_TEMPLATE
#define INKAN_SOFTHSM_TEMPLATE ""
#endif

namespace inkan::appliance {
namespace fs = std::filesystem;
namespace {

// The embedded SoftHSM configuration (same as softhsm-conf/softhsm2.conf.in).
constexpr const char* kSoftHsmTemplate =
    "# SoftHSM2 configuration for Inkan's embedded HSM (from softhsm-conf/softhsm2.conf.in)\n"
    "directories.tokendir = @TOKEN_DIR@\n"
    "objectstore.backend = file\n"
    "log.level = ERROR\n"
    "slots.removable = false\n"
    "slots.mechanisms = ALL\n";

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        throw Error(ErrorCategory::NotFound, "file_unreadable", "cannot read " + p.string());
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string softhsm_template() {
    std::string path = INKAN_SOFTHSM_TEMPLATE;
    if (!path.empty() && fs::exists(path)) return read_text(path);
    return kSoftHsmTemplate;
}

// 20 characters from [A-Za-z0-9], from OpenSSL's CSPRNG (the token does not exist yet).
SecretString random_pin() {
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    std::string pin;
    while (pin.size() < 20) {
        unsigned char b[32];
        if (RAND_bytes(b, sizeof b) != 1) {
            throw Error(ErrorCategory::Internal, "random_failed", "OpenSSL RAND_bytes failed");
        }
        for (unsigned char c : b) {
            if (c < 4 * (sizeof alphabet - 1) && pin.size() < 20)
                pin += alphabet[c % (sizeof alphabet - 1)];
        }
    }
    return SecretString(pin);
}

}  // namespace

void write_embedded_softhsm_config(const Config& config) {
    auto tokens = config.state_dir / "tokens";
    make_private_dirs(tokens);
    fs::permissions(tokens, fs::perms::owner_all, fs::perm_options::replace);
    if (fs::exists(config.hsm.softhsm_conf)) return;
    std::string conf = softhsm_template();
    const std::string marker = "@TOKEN_DIR@";
    for (auto at = conf.find(marker); at != std::string::npos; at = conf.find(marker, at)) {
        conf.replace(at, marker.size(), fs::absolute(tokens).string());
    }
    write_private_file(config.hsm.softhsm_conf, conf);
}

void write_private_file(const fs::path& path, const std::string& content) {
    write_file_with_mode(path, content, 0600);
}

void write_public_file(const fs::path& path, const std::string& content) {
    write_file_with_mode(path, content, 0644);
}

pki::DistinguishedName parse_config_subject(const std::string& subject) {
    pki::DistinguishedName dn;
    std::stringstream ss(subject);
    std::string part;
    while (std::getline(ss, part, ',')) {
        auto eq = part.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == part.size()) {
            throw Error(ErrorCategory::InvalidInput, "config_subject_invalid",
                        "subject '" + subject + "' must look like CN=...,O=...,C=JP");
        }
        auto trim = [](std::string s) {
            s.erase(0, s.find_first_not_of(' '));
            s.erase(s.find_last_not_of(' ') + 1);
            return s;
        };
        dn.push_back({trim(part.substr(0, eq)), trim(part.substr(eq + 1))});
    }
    if (dn.empty()) {
        throw Error(ErrorCategory::InvalidInput, "config_subject_invalid", "empty subject");
    }
    return {dn.rbegin(), dn.rend()};
}

std::string prepare_token_and_ca_key(Config& config) {
    make_private_dirs(config.state_dir);
    fs::permissions(config.state_dir, fs::perms::owner_all, fs::perm_options::replace);
    bool embedded = !config.hsm.softhsm_conf.empty();
    if (embedded) write_embedded_softhsm_config(config);
    use_embedded_softhsm_config(config);

    std::string so_pin_shown;
    {
        hsm::Module module(config.hsm.module_path);
        if (!hsm::token_exists(module, config.hsm.token_label)) {
            if (!embedded) {
                throw Error(ErrorCategory::HsmUnavailable, "hsm_token_not_found",
                            "no token labelled '" + config.hsm.token_label +
                                "' in the HSM; the security officer must create it first");
            }
            SecretString so_pin = random_pin();
            if (config.hsm.pin.empty()) {
                config.hsm.pin = random_pin();
                write_private_file(config.hsm.pin_file, config.hsm.pin.str() + "\n");
            }
            hsm::initialize_token(module, config.hsm.token_label, so_pin, config.hsm.pin);
            so_pin_shown = so_pin.str();
        }
    }
    auto token = open_token(config);
    ensure_pin_keys(*token, config);  // access-PIN HMAC key and PIN-wrapping AES key
    auto lookup = ca_key_lookup(config);
    if (!config.hsm.ca_key_id.empty() && hsm::find_key(*token, CKO_PRIVATE_KEY, lookup)) {
        return so_pin_shown;  // the key exists already (a resumed init)
    }
    hsm::KeySpec spec{config.hsm.ca_key_label, hsm::random_key_id(*token)};
    hsm::generate_signing_key_pair(*token, hsm::parse_key_algorithm(config.ca.key_type), spec);
    config.hsm.ca_key_id = hex_encode(spec.id);
    save_config(config);
    return so_pin_shown;
}

void write_self_signed_ca(const Config& config) {
    auto token = open_token(config);
    ca::HsmSigner signer(*token, ca_key_lookup(config));
    ca::HsmRandom random(*token);
    pki::CaOptions options;
    options.serial = pki::generate_serial(random);
    auto cert = pki::make_self_signed_ca(signer, parse_config_subject(config.ca.subject),
                                         config.ca.validity_years, options);
    write_public_file(config.ca_certificate_path(), pki::to_pem(cert.get()));
}

void write_ca_csr(const Config& config, const fs::path& csr_path) {
    auto token = open_token(config);
    ca::HsmSigner signer(*token, ca_key_lookup(config));
    auto csr = pki::make_ca_csr(signer, parse_config_subject(config.ca.subject));
    write_private_file(csr_path, pki::to_pem(csr.get()));
}

void import_ca_certificate(const Config& config, const fs::path& pem_path) {
    std::string pem = read_text(pem_path);
    auto cert = pki::parse_certificate(as_bytes(pem));
    auto token = open_token(config);
    ca::HsmSigner signer(*token, ca_key_lookup(config));
    pki::check_issuing_ca_cert(cert.get(), signer);
    write_public_file(config.ca_certificate_path(), pem);
}

void ensure_tls_certificate(Services& s) {
    const auto& config = s.config;
    if (fs::exists(config.tls_certificate_path()) && fs::exists(config.tls_key_path())) return;
    auto key = hsm::generate_exported_key(*s.token, hsm::KeyAlgorithm::EcP256);
    ca::IssueSpec spec;
    std::string host = config.http.bind_address;
    spec.subject = {{"C", "JP"}, {"O", "Inkan"}, {"CN", host}};
    spec.subject_public_key = key.get();
    spec.profile = pki::tls_server_profile();
    spec.kind = store::CertificateKind::TlsServer;
    spec.requested_by = "inkan init";
    spec.dns_names = {"localhost"};
    spec.ip_addresses = {"127.0.0.1"};
    if (host != "127.0.0.1" && host != "localhost") {
        bool is_ip = host.find_first_not_of("0123456789.:") == std::string::npos;
        (is_ip ? spec.ip_addresses : spec.dns_names).push_back(host);
    }
    auto issued = s.authority->issue(spec);
    std::string chain =
        pki::to_pem(issued.certificate.get()) + read_text(config.ca_certificate_path());
    write_private_file(config.tls_key_path(), pki::private_key_to_pem(key.get()));
    write_private_file(config.tls_certificate_path(), chain);
}

void ensure_mail_signer(Services& s) {
    if (load_mail_signer(s)) return;
    Config& config = s.config;
    if (config.hsm.mail_key_id.empty() ||
        !hsm::find_key(*s.token, CKO_PRIVATE_KEY, mail_key_lookup(config))) {
        hsm::KeySpec key{config.hsm.mail_key_label, hsm::random_key_id(*s.token)};
        hsm::generate_signing_key_pair(*s.token, hsm::KeyAlgorithm::EcP256, key);
        config.hsm.mail_key_id = hex_encode(key.id);
        save_config(config);
    }
    ca::HsmSigner key(*s.token, mail_key_lookup(config));
    auto profile = pki::find_profile(pki::default_profiles(), 16);
    if (!profile || profile->kind != pki::ProfileKind::SMime) {
        throw Error(ErrorCategory::Internal, "profile_missing",
                    "S/MIME profile 16 is not configured");
    }
    ca::IssueSpec spec;
    spec.subject = {{"C", "JP"}, {"O", "Inkan"}, {"CN", "Inkan notifications"}};
    spec.subject_public_key = key.public_key();
    spec.profile = *profile;
    spec.kind = store::CertificateKind::MailSigner;
    spec.requested_by = "inkan mail signer";
    spec.email_addresses = {config.mail.from};
    auto issued = s.authority->issue(spec);
    write_public_file(config.mail_signer_certificate_path(), pki::to_pem(issued.certificate.get()));
    if (!load_mail_signer(s)) {
        throw Error(ErrorCategory::Internal, "mail_signer_unusable",
                    "the new mail signing certificate does not fit its key or configuration");
    }
}

IssuedOperator issue_operator(Services& s, const std::string& name, const std::string& institution,
                              const std::string& email, store::OperatorRole role,
                              const std::string& actor) {
    if (name.empty() || name.find_first_of("/\\\0", 0, 3) != std::string::npos || name[0] == '.') {
        throw Error(ErrorCategory::InvalidInput, "operator_name_invalid",
                    "operator name must be non-empty and must not contain '/' or start with '.'");
    }
    if (s.operators->find_by_name(name)) {
        throw Error(ErrorCategory::Conflict, "operator_exists",
                    "operator '" + name + "' exists already");
    }
    nlohmann::json fields = {{"by", actor},
                             {"name", name},
                             {"institution", institution},
                             {"email", email},
                             {"role", store::to_string(role)}};
    return audited(
        *s.audit, "operator_added", fields,
        [&] {
            auto key = hsm::generate_exported_key(*s.token, hsm::KeyAlgorithm::EcP256);
            auto profile = pki::find_profile(pki::default_profiles(), 13);
            if (!profile) {
                throw Error(ErrorCategory::Internal, "profile_missing",
                            "client profile 13 is not configured");
            }
            ca::IssueSpec spec;
            spec.subject = {
                {"C", "JP"},
                {"O", institution},
                {"OU", role == store::OperatorRole::ServiceAdmin ? "Service Admin" : "RA Operator"},
                {"CN", name}};
            spec.subject_public_key = key.get();
            spec.profile = *profile;
            spec.kind = store::CertificateKind::Operator;
            spec.institution = institution;
            spec.requested_by = actor;
            auto issued = s.authority->issue(spec);

            store::OperatorRecord op;
            op.name = name;
            op.institution = institution;
            op.email = email;
            op.role = role;
            op.certificate_serial = issued.record.serial_hex;
            s.operators->add(op);

            IssuedOperator out;
            out.serial_hex = issued.record.serial_hex;
            out.certificate_pem = pki::to_pem(issued.certificate.get());
            out.password = random_pin();
            out.p12 = pki::build_pkcs12(key.get(), issued.certificate.get(),
                                        {s.ca_certificate.get()}, out.password, name);
            return out;
        },
        [](const IssuedOperator& o) {
            return nlohmann::json{{"serial_hex", o.serial_hex}};
        });
}

OperatorCredential create_operator(Services& s, const std::string& name,
                                   const std::string& institution, const std::string& email,
                                   store::OperatorRole role, const fs::path& handover_dir) {
    OperatorCredential out;
    out.cert_path = s.config.operators_dir() / (name + ".pem");
    out.p12_path =
        (handover_dir.empty() ? s.config.operators_dir() : handover_dir) / (name + ".p12");
    if (fs::exists(out.p12_path)) {  // refused before anything is issued
        throw Error(ErrorCategory::Conflict, "file_exists",
                    out.p12_path.string() + " exists already; move it away first");
    }
    auto issued = issue_operator(s, name, institution, email, role, "inkan operator add (CLI)");
    out.password = issued.password;
    // Handed over once: the key exists only inside the password-encrypted P12.
    write_new_file(out.p12_path, to_string(ByteView(issued.p12)), 0600);
    if (!handover_dir.empty()) {
        out.password_path = handover_dir / (name + ".p12-password");
        write_new_file(out.password_path, out.password.str() + "\n", 0600);
    }
    write_private_file(out.cert_path, issued.certificate_pem);
    return out;
}

void print_handover(const OperatorCredential& c, std::ostream& out) {
    out << "  PKCS#12 (move it to the operator, then delete it here): "
        << fs::absolute(c.p12_path).string() << "\n";
    if (!c.password_path.empty()) {
        out << "  PKCS#12 password file (hand over, then delete): "
            << fs::absolute(c.password_path).string() << "\n";
    } else {
        out << "  PKCS#12 password (shown once, stored nowhere): " << c.password.str() << "\n";
    }
    out << "  certificate:       " << fs::absolute(c.cert_path).string() << "\n";
}

policy::Institution demo_institution(const std::string& name) {
    policy::Institution demo;
    demo.name = name;
    demo.state = "Tokyo";
    demo.locality = "Chiyoda-ku";
    demo.whois_names = {name};
    demo.enabled_profiles = policy::default_enabled_profiles();
    demo.domains = {{kDemoDomain, *policy::parse_date(kDemoApprovalExpires)}};
    demo.whois_source = policy::WhoisSource::Demo;
    return demo;
}

std::optional<policy::Institution> ensure_demo_institution(
    store::SqliteInstitutionRegistry& registry, const std::string& name) {
    if (registry.find_by_name(name)) return std::nullopt;
    policy::Institution demo = demo_institution(name);
    registry.add(demo);
    return demo;
}

}  // namespace inkan::appliance
