// Appliance configuration: a JSON file (default <state>/inkan.json), then
// environment variables on top. See README "Configuration".
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/secret.h"

namespace inkan::appliance {

struct HsmConfig {
    std::string module_path = "/usr/lib/softhsm/libsofthsm2.so";
    std::string token_label = "inkan";
    SecretString pin;          // INKAN_HSM_PIN, credential inkan-hsm-pin, or pin_file
    std::string pin_file;      // default <state>/hsm-user-pin (embedded SoftHSM only)
    std::string softhsm_conf;  // SOFTHSM2_CONF for the embedded token; empty for a real HSM
    std::string ca_key_label = "inkan-ca";
    std::string ca_key_id;        // hex CKA_ID, written by `inkan init` (labels may repeat)
    std::string pin_hmac_key_id;  // hex CKA_ID of the access-PIN HMAC key (written by init)
    std::string pin_wrap_key_id;  // hex CKA_ID of the AES key wrapping file-supplied PINs
    std::string mail_key_label = "inkan-mail-signing";
    std::string mail_key_id;  // hex CKA_ID of the S/MIME notification signing key (init/serve)
    std::string audit_key_label = "inkan-audit";
    std::string audit_key_id;  // hex CKA_ID of the audit checkpoint key (EC P-256, init/serve)
    int pool_size = 0;         // 0 = number of cores
};

struct CaConfig {
    std::string subject = "CN=Inkan Root CA,O=Inkan,C=JP";
    std::string key_type = "rsa-3072";  // rsa-2048|rsa-3072|rsa-4096|ec-p256|ec-p384
    int validity_years = 20;
    // Put into every certificate (CRL DP, AIA OCSP, AIA caIssuers). The defaults
    // point at the publication listener's defaults (http.crl_port); set them to
    // the URLs relying parties reach in a deployment.
    std::string crl_url = "http://127.0.0.1:8080/crl/inkan-ca.crl";
    std::string ocsp_url = "http://127.0.0.1:8080/ocsp";
    std::string ca_issuers_url = "http://127.0.0.1:8080/ca.crt";
    int crl_validity_hours = 24;  // nextUpdate - thisUpdate; renewed at half of it
    int ocsp_validity_hours = 1;  // nextUpdate - thisUpdate of OCSP answers
};

// The CRL is served as /crl/<kCrlName>.crl.
inline constexpr const char* kCrlName = "inkan-ca";

struct HttpConfig {
    std::string bind_address = "127.0.0.1";
    uint16_t operator_port = 8443;
    uint16_t public_port = 8444;
    uint16_t crl_port = 8080;  // plain HTTP: CRL, CA certificate, OCSP
    size_t max_body_bytes = 16 * 1024 * 1024;
    int threads = 4;  // a bulk ZIP holds one worker for its whole run
    // Base of the PIN and retrieval URLs handed to subscribers; empty means
    // https://<bind_address>:<public_port>.
    std::string public_base_url;
    // "nginx": the TLS front (appliance/front.h) listens on the ports above and the
    // application on loopback plain HTTP behind it; "none": Pistache serves TLS itself.
    std::string front = "none";
    std::string nginx_binary = "/usr/sbin/nginx";
    int front_timeout_seconds = 10;         // handshake + headers, and between body reads
    int front_requests_per_second = 20;     // per client address (burst: twice that)
    int front_connections_per_client = 32;  // open connections per client address
    // GET /metrics (Prometheus) on the loopback admin listener 127.0.0.1:metrics_port
    // (plain HTTP, never behind the front; 0 = any free port). README "Metrics".
    bool metrics = true;
    uint16_t metrics_port = 9464;
    std::string effective_public_base_url(uint16_t actual_public_port) const {
        return public_base_url.empty()
                   ? "https://" + bind_address + ":" + std::to_string(actual_public_port)
                   : public_base_url;
    }
};

struct WhoisSettings {
    // Domain suffix → "host[:port]" (RFC 3912, port 43); the longest suffix wins.
    std::map<std::string, std::string> servers = {{"jp", "whois.jprs.jp:43"}};
    int connect_timeout_ms = 5000;
    int read_timeout_ms = 10000;
    int cache_ttl_seconds = 3600;
    // An unreachable WHOIS server (refused, timed out) is not asked again for a
    // domain for this long: requests meanwhile fail at once (0: ask every time).
    int failure_cache_seconds = 30;
};

// The issuance workflow (issuance/issuance_service.h IssuanceConfig).
struct IssuanceSettings {
    int url_lifetime_days = 30;             // PIN and retrieval URLs
    int max_pin_failures = 5;               // wrong PINs before a row is locked
    bool allow_redownload = false;          // a new key + certificate until the URL expires
    std::string p12_key_type = "rsa-2048";  // rsa-2048|rsa-3072|rsa-4096|ec-p256|ec-p384
    int pin_length = 12;                    // 8..51 characters
    int bulk_threads = 2;                   // key generation threads of a bulk ZIP job
    std::string bulk_start = "pin_view";    // when a bulk ZIP job starts: upload|pin_view|download
    int bulk_max_rows = 10000;              // rows a P12-bulk file may have (1..1000000)
    int key_pool_size = 0;                  // subscriber key pairs kept ready in the HSM
};

// Notification mails. `from` is the sender address the S/MIME signing
// certificate is issued for (subjectAltName rfc822Name): a bare address. The
// default is valid and obviously local; set it to the deployment's address
// (a different one gets a new certificate at the next start).
//
// The outbox and its transport: issuance/notification_outbox.h.
struct MailSettings {
    // maildir: into <state>/mail/Maildir (the embedded default); smtp: to smtp_url;
    // none: no mails at all, and the upload answer hands the RA operator every URL
    // (for an RA front end that distributes them itself).
    std::string transport = "maildir";
    std::string from = "inkan@localhost.localdomain";  // sender address (bare)
    std::string from_name = "Inkan CA";
    std::string smtp_url;  // smtp://host[:port] (STARTTLS when offered) or smtps://host[:port]
    bool smtp_require_tls = false;  // smtp://: refuse to send without STARTTLS
    std::string smtp_username;
    std::string smtp_password_file;  // or INKAN_SMTP_PASSWORD
    std::string smtp_ca_file;        // trust anchors for the server; empty: the system's
    int smtp_timeout_seconds = 60;
    int retry_base_seconds = 30;  // first retry; doubles each time
    int retry_max_seconds = 3600;
    int give_up_hours = 72;  // then the mail is dead (`inkan mail retry` revives it)
    int send_interval_seconds = 2;
};

// The audit chain (README "Audit trail"): a checkpoint signed by the audit key
// in the HSM every checkpoint_interval records, and at stop.
struct AuditSettings {
    int checkpoint_interval = 100;
};

struct Config {
    std::filesystem::path state_dir = "state";
    HsmConfig hsm;
    CaConfig ca;
    HttpConfig http;
    WhoisSettings whois;
    IssuanceSettings issuance;
    MailSettings mail;
    AuditSettings audit;
    SecretString smtp_password;  // INKAN_SMTP_PASSWORD, or read from mail.smtp_password_file
    std::string bootstrap_institution = "Inkan Demo University";

    std::filesystem::path database_path() const { return state_dir / "inkan.db"; }
    std::filesystem::path ca_certificate_path() const { return state_dir / "ca.pem"; }
    std::filesystem::path tls_certificate_path() const { return state_dir / "tls" / "server.pem"; }
    std::filesystem::path tls_key_path() const { return state_dir / "tls" / "server.key"; }
    std::filesystem::path operators_dir() const { return state_dir / "operators"; }
    std::filesystem::path bulk_jobs_dir() const { return state_dir / "bulk-jobs"; }
    std::filesystem::path maildir_path() const { return state_dir / "mail" / "Maildir"; }
    std::filesystem::path mail_templates_dir() const { return state_dir / "mail" / "templates"; }
    std::filesystem::path mail_signer_certificate_path() const {
        return state_dir / "mail" / "signer.pem";
    }
};

// systemd credentials (LoadCredential=, read from $CREDENTIALS_DIRECTORY):
// the HSM user PIN and the SMTP password, first line of the file.
inline constexpr const char* kHsmPinCredential = "inkan-hsm-pin";
inline constexpr const char* kSmtpPasswordCredential = "inkan-smtp-password";

// Loads <state_dir>/inkan.json if present, then `config_file` on top when
// given (it must exist; /etc/inkan/inkan.json in the Debian package), then
// applies INKAN_* environment variables, then resolves the secrets: the PIN
// from INKAN_HSM_PIN, else the systemd credential kHsmPinCredential, else the
// pin file; the SMTP password likewise (INKAN_SMTP_PASSWORD, credential,
// mail.smtp_password_file). Throws Error(InvalidInput) on a bad file or value.
Config load_config(const std::filesystem::path& state_dir, const std::string& config_file = "");

// The non-secret parts, as inkan.json holds them.
nlohmann::json config_to_json(const Config& config);

// Writes the non-secret parts as <state_dir>/inkan.json (first init).
void save_config(const Config& config);

}  // namespace inkan::appliance
