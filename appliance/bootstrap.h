// First-start work for the security staff: the embedded SoftHSM token, the CA
// key in the HSM, the CA certificate (self-signed or imported), the appliance's
// HTTPS certificate, the first RA operator's credential and the demo institution.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "appliance/config.h"
#include "appliance/services.h"
#include "pki/name.h"
#include "policy/institution.h"
#include "store/operator_store.h"
#include "store/sqlite_institution_registry.h"

namespace inkan::appliance {

// "CN=Inkan Root CA,O=Inkan,C=JP" (most specific first, no escaped commas) →
// DER order (C first). Throws Error(InvalidInput, "config_subject_invalid").
pki::DistinguishedName parse_config_subject(const std::string& subject);

// The embedded SoftHSM's config (config.hsm.softhsm_conf, from
// softhsm-conf/softhsm2.conf.in) naming <state>/tokens as its token folder,
// unless the file exists; makes the folder (0700).
void write_embedded_softhsm_config(const Config& config);

// Creates the state folder, the SoftHSM config and token (embedded default,
// with fresh random PINs: the user PIN goes to the pin file, the SO PIN is
// returned to be shown once) and the CA key. Returns the SO PIN, or an empty
// string when the token already existed.
std::string prepare_token_and_ca_key(Config& config);

// The root CA certificate, self-signed in the HSM, written to ca.pem.
void write_self_signed_ca(const Config& config);

// A PKCS#10 for an external root, written to `csr_path`.
void write_ca_csr(const Config& config, const std::filesystem::path& csr_path);

// Installs the issuing-CA certificate signed by an external root (PEM file,
// optionally followed by the chain up to the root) after checking it carries
// the HSM key and may sign certificates and CRLs.
void import_ca_certificate(const Config& config, const std::filesystem::path& pem_path);

// The HTTPS server certificate and key (tls/server.pem, tls/server.key), when
// missing. The key pair is generated in the HSM and exported once (Pistache
// needs a key file: see README, limitations).
void ensure_tls_certificate(Services& services);

// The S/MIME notification signing identity (idempotent; init, and serve for a
// state folder made before it existed): an EC P-256 key pair in the HSM (token
// object, non-extractable, label hsm.mail_key_label, CKA_ID saved as
// hsm.mail_key_id) when missing, and a certificate from the CA for mail.from
// (CN "Inkan notifications", emailProtection, digitalSignature) in
// state/mail/signer.pem when missing, not for mail.from, not from this CA, or
// valid for less than 30 more days. Leaves services.mail_signer() usable.
void ensure_mail_signer(Services& services);

// An operator's credential, handed over once (README "Operator credentials"):
// the private key exists only inside the password-encrypted PKCS#12; no clear
// key and (unless a hand-over folder is named) no password is written.
struct OperatorCredential {
    std::filesystem::path p12_path;       // 0600, for the security officer to move
    std::filesystem::path cert_path;      // <operators>/<name>.pem (public)
    SecretString password;                // the P12's password: shown once by the caller
    std::filesystem::path password_path;  // <handover>/<name>.p12-password, or empty
};

// Issues an operator's client certificate (key generated in the HSM, exported
// once into a PKCS#12 under a fresh random password) and records the operator;
// audited (operator_added, by `actor`). Nothing is written to disk.
struct IssuedOperator {
    Bytes p12;
    SecretString password;
    std::string certificate_pem;
    std::string serial_hex;
};
IssuedOperator issue_operator(Services& services, const std::string& name,
                              const std::string& institution, const std::string& email,
                              store::OperatorRole role, const std::string& actor);

// issue_operator, then writes <operators>/<name>.pem
// and the P12: <handover_dir>/<name>.p12 with <name>.p12-password beside it
// (a folder outside the state for the security officer to carry away), or,
// without a hand-over folder, <operators>/<name>.p12 and the password only in
// the result. Files are created 0600 with O_EXCL: an existing one is refused.
OperatorCredential create_operator(Services& services, const std::string& name,
                                   const std::string& institution, const std::string& email,
                                   store::OperatorRole role,
                                   const std::filesystem::path& handover_dir = {});

// Tells the security officer where the credential is and, when no password
// file was written, the P12 password (this once; it is stored nowhere).
void print_handover(const OperatorCredential& credential, std::ostream& out);

// The embedded default's demo institution, for the README's first example and
// nothing else: `name` (config.bootstrap_institution), ST=Tokyo, L=Chiyoda-ku,
// WHOIS names {name}, the default profiles, kDemoDomain approved until
// kDemoApprovalExpires (fixed: the demo never ages), WHOIS source Demo (no
// registry lookup for reserved example names; policy/institution_rules.h).
inline constexpr const char* kDemoDomain = "example.ac.jp";
inline constexpr const char* kDemoApprovalExpires = "2099-12-31";
policy::Institution demo_institution(const std::string& name);

// Registers demo_institution(name) unless an institution of that name exists;
// returns it when it did.
std::optional<policy::Institution> ensure_demo_institution(
    store::SqliteInstitutionRegistry& registry, const std::string& name);

// Writes bytes to a new file with mode 0600.
void write_private_file(const std::filesystem::path& path, const std::string& content);
// The same with mode 0644 (certificates anyone may read).
void write_public_file(const std::filesystem::path& path, const std::string& content);

}  // namespace inkan::appliance
