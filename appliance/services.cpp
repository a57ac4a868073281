#include "appliance/services.h"

#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "appliance/audited.h"
#include "common/bytes.h"
#include "common/error.h"
#include "hsm/key_generation.h"
#include "pki/encoding.h"

namespace inkan::appliance {
namespace {

std::string read_file(const std::filesystem::path& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return {};
    std::string content;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) content.append(buf, n);
    std::fclose(f);
    return content;
}

X509Ptr read_ca_certificate(const Config& config) {
    auto path = config.ca_certificate_path();
    std::string pem = read_file(path);
    if (pem.empty()) {
        throw Error(ErrorCategory::NotFound, "ca_certificate_missing",
                    "no CA certificate at " + path.string() +
                        " (run `inkan init`, or `inkan ca import-cert` after an external root "
                        "signed the CSR)");
    }
    return pki::parse_certificate(as_bytes(pem));
}

// Every certificate in ca.pem: the issuing CA, then (imported CA) its chain.
std::vector<X509Ptr> read_ca_chain(const Config& config) {
    std::string pem = read_file(config.ca_certificate_path());
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) openssl_fail("BIO_new_mem_buf failed");
    std::vector<X509Ptr> chain;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        chain.emplace_back(cert);
    openssl_error_text();  // the end of the file
    return chain;
}

bool names_address(const X509* cert, const std::string& address) {
    std::string wanted = address;
    std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return X509_check_email(const_cast<X509*>(cert), wanted.c_str(), wanted.size(), 0) == 1;
}

bool valid_for_days(const X509* cert, int days) {
    std::time_t until = std::time(nullptr) + std::time_t{days} * 24 * 3600;
    return X509_cmp_time(X509_get0_notAfter(cert), &until) > 0;
}

// The embedded SoftHSM fails C_Initialize (CKR_GENERAL_ERROR) without its token
// directory: say so before loading it. (backup.cpp reads the same line.)
void check_embedded_token_dir(const Config& config) {
    if (config.hsm.softhsm_conf.empty() || !std::filesystem::exists(config.hsm.softhsm_conf))
        return;
    std::ifstream in(config.hsm.softhsm_conf);
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (line.rfind("directories.tokendir", 0) != 0 || eq == std::string::npos) continue;
        std::string dir = line.substr(eq + 1);
        dir.erase(0, dir.find_first_not_of(" \t"));
        dir.erase(dir.find_last_not_of(" \t\r") + 1);
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) {
            throw Error(ErrorCategory::HsmUnavailable, "hsm_token_dir_missing",
                        "the embedded HSM's token directory " + dir + " (named in " +
                            config.hsm.softhsm_conf +
                            ") is missing: put it back, or restore the state folder from a "
                            "backup (`inkan restore`); the CA key lives only there");
        }
        return;
    }
}

}  // namespace

void use_embedded_softhsm_config(const Config& config) {
    if (!config.hsm.softhsm_conf.empty() && std::filesystem::exists(config.hsm.softhsm_conf)) {
        setenv("SOFTHSM2_CONF", config.hsm.softhsm_conf.c_str(), 1);
    }
}

std::unique_ptr<hsm::Token> open_token(const Config& config) {
    if (config.hsm.pin.empty()) {
        throw Error(ErrorCategory::HsmUnavailable, "hsm_pin_missing",
                    "no HSM user PIN: set INKAN_HSM_PIN, the systemd credential " +
                        std::string(kHsmPinCredential) + " or hsm.pin_file (" +
                        config.hsm.pin_file + ")");
    }
    use_embedded_softhsm_config(config);
    check_embedded_token_dir(config);
    hsm::TokenConfig tc;
    tc.module_path = config.hsm.module_path;
    tc.token_label = config.hsm.token_label;
    tc.pin = config.hsm.pin;
    tc.pool_size = static_cast<size_t>(config.hsm.pool_size);
    return std::make_unique<hsm::Token>(tc);
}

hsm::KeyLookup ca_key_lookup(const Config& config) {
    return {config.hsm.ca_key_id.empty() ? Bytes{} : hex_decode(config.hsm.ca_key_id),
            config.hsm.ca_key_label};
}

hsm::KeyLookup mail_key_lookup(const Config& config) {
    return {config.hsm.mail_key_id.empty() ? Bytes{} : hex_decode(config.hsm.mail_key_id),
            config.hsm.mail_key_label};
}

hsm::KeyLookup audit_key_lookup(const Config& config) {
    return {config.hsm.audit_key_id.empty() ? Bytes{} : hex_decode(config.hsm.audit_key_id),
            config.hsm.audit_key_label};
}

bool ensure_audit_key(hsm::Token& token, Config& config) {
    if (!config.hsm.audit_key_id.empty() &&
        hsm::find_key(token, CKO_PRIVATE_KEY, audit_key_lookup(config)))
        return false;
    hsm::KeySpec key{config.hsm.audit_key_label, hsm::random_key_id(token)};
    hsm::generate_signing_key_pair(token, hsm::KeyAlgorithm::EcP256, key);
    config.hsm.audit_key_id = hex_encode(key.id);
    save_config(config);
    return true;
}

mail::MailSigner& Services::mail_signer() {
    if (!mail) {
        throw Error(ErrorCategory::NotFound, "mail_signer_missing",
                    "no mail signing certificate yet (`inkan serve` or `inkan init` makes it)");
    }
    return *mail;
}

bool load_mail_signer(Services& s) {
    const Config& config = s.config;
    if (config.hsm.mail_key_id.empty() ||
        !hsm::find_key(*s.token, CKO_PRIVATE_KEY, mail_key_lookup(config)))
        return false;
    std::string pem = read_file(config.mail_signer_certificate_path());
    if (pem.empty()) return false;
    auto cert = pki::parse_certificate(as_bytes(pem));
    auto key = std::make_unique<ca::HsmSigner>(*s.token, mail_key_lookup(config));
    if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key->public_key()) != 1 ||
        X509_check_issued(s.ca_certificate.get(), cert.get()) != X509_V_OK ||
        !names_address(cert.get(), config.mail.from) || !valid_for_days(cert.get(), 30)) {
        openssl_error_text();
        return false;
    }
    s.mail = std::make_unique<mail::MailSigner>(*key, std::move(cert), read_ca_chain(config));
    s.mail_key = std::move(key);
    return true;
}

bool ensure_pin_keys(hsm::Token& token, Config& config) {
    auto ensure = [&](std::string& id_hex, const char* label, auto generate) {
        if (!id_hex.empty() && hsm::find_key(token, CKO_SECRET_KEY, {hex_decode(id_hex), {}}))
            return false;
        hsm::KeySpec spec{label, hsm::random_key_id(token)};
        generate(token, spec);
        id_hex = hex_encode(spec.id);
        return true;
    };
    bool made = ensure(config.hsm.pin_hmac_key_id, "inkan-access-pin", hsm::generate_hmac_key);
    made = ensure(config.hsm.pin_wrap_key_id, "inkan-pin-wrap", hsm::generate_aes_key) || made;
    if (made) save_config(config);
    return made;
}

issuance::IssuanceConfig issuance_config(const Config& config) {
    issuance::IssuanceConfig c;
    c.url_lifetime = std::chrono::hours(24) * config.issuance.url_lifetime_days;
    c.max_pin_failures = config.issuance.max_pin_failures;
    c.allow_redownload = config.issuance.allow_redownload;
    c.p12_key_algorithm = config.issuance.p12_key_type;
    c.pin_length = static_cast<size_t>(config.issuance.pin_length);
    c.bulk_threads = static_cast<size_t>(config.issuance.bulk_threads);
    c.bulk_jobs_dir = config.bulk_jobs_dir();
    c.bulk_start = config.issuance.bulk_start == "upload"     ? issuance::BulkJobStart::Upload
                   : config.issuance.bulk_start == "download" ? issuance::BulkJobStart::Download
                                                              : issuance::BulkJobStart::PinView;
    c.bulk_max_rows = static_cast<size_t>(config.issuance.bulk_max_rows);
    c.key_pool_size = static_cast<size_t>(config.issuance.key_pool_size);
    return c;
}

pki::IssuerOptions issuer_options(const Config& config) {
    pki::IssuerOptions o;
    o.crl_url = config.ca.crl_url;
    o.ocsp_url = config.ca.ocsp_url;
    o.ca_issuers_url = config.ca.ca_issuers_url;
    return o;
}

std::unique_ptr<Services> open_services(const Config& config) {
    auto s = std::make_unique<Services>();
    s->config = config;
    s->ca_certificate = read_ca_certificate(config);
    s->token = open_token(config);
    s->signer = std::make_unique<ca::HsmSigner>(*s->token, ca_key_lookup(config));
    s->random = std::make_unique<ca::HsmRandom>(*s->token);
    s->database = std::make_unique<store::Database>(config.database_path().string());
    ensure_audit_key(*s->token, s->config);  // states made before the audit chain
    s->audit_key = std::make_unique<ca::HsmSigner>(*s->token, audit_key_lookup(s->config));
    s->audit = std::make_unique<AuditLog>(*s->database, s->audit_key.get(),
                                          s->config.audit.checkpoint_interval);
    s->certificates = std::make_unique<store::SqliteCertificateStore>(*s->database);
    s->operators = std::make_unique<store::SqliteOperatorStore>(*s->database);
    s->authority = std::make_unique<ca::CertificateAuthority>(
        *s->signer, s->ca_certificate.get(), issuer_options(config), *s->random, *s->certificates);
    s->crls = std::make_unique<store::SqliteCrlStore>(*s->database);
    s->audited_crls = std::make_unique<AuditedCrlStore>(*s->crls, *s->audit);
    s->crl_publisher = std::make_unique<ca::CrlPublisher>(
        *s->signer, s->ca_certificate.get(), *s->certificates, *s->audited_crls,
        std::chrono::hours(config.ca.crl_validity_hours));
    s->ocsp =
        std::make_unique<ca::OcspResponder>(*s->signer, s->ca_certificate.get(), *s->certificates,
                                            std::chrono::hours(config.ca.ocsp_validity_hours));
    ensure_pin_keys(*s->token, s->config);  // states made before the PIN keys existed
    s->batches = std::make_unique<store::SqliteBatchStore>(*s->database);
    s->bulk_jobs = std::make_unique<store::SqliteBulkJobStore>(*s->database);
    s->policy = std::make_unique<PolicyContext>(s->config, *s->database, *s->certificates);
    s->gate = std::make_unique<issuance::PolicySigningGate>(
        [policy = s->policy.get()] { return policy->context(); }, *s->operators, *s->certificates);
    s->issuance = std::make_unique<issuance::IssuanceService>(
        *s->token, *s->authority, *s->batches, *s->bulk_jobs,
        issuance::PinKeys{hex_decode(s->config.hsm.pin_hmac_key_id),
                          hex_decode(s->config.hsm.pin_wrap_key_id)},
        *s->gate, issuance_config(s->config));
    s->outbox = std::make_unique<store::SqliteOutboxStore>(*s->database);
    s->mail_templates = std::make_unique<mail::MailTemplates>(config.mail_templates_dir());
    s->mail_templates->install_defaults();
    load_mail_signer(*s);

    return s;
}

}  // namespace inkan::appliance
