#include "appliance/config.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "common/error.h"
#include "common/private_files.h"

namespace inkan::appliance {

// One declaration per section serves both reading (missing keys keep their
// defaults) and writing. The PIN is not a member here: it never goes to a file.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HsmConfig, module_path, token_label, pin_file,
                                                softhsm_conf, ca_key_label, ca_key_id,
                                                pin_hmac_key_id, pin_wrap_key_id, mail_key_label,
                                                mail_key_id, audit_key_label, audit_key_id,
                                                pool_size)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaConfig, subject, key_type, validity_years,
                                                crl_url, ocsp_url, ca_issuers_url,
                                                crl_validity_hours, ocsp_validity_hours)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HttpConfig, bind_address, operator_port,
                                                public_port, crl_port, max_body_bytes, threads,
                                                public_base_url, front, nginx_binary,
                                                front_timeout_seconds, front_requests_per_second,
                                                front_connections_per_client, metrics, metrics_port)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WhoisSettings, servers, connect_timeout_ms,
                                                read_timeout_ms, cache_ttl_seconds,
                                                failure_cache_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IssuanceSettings, url_lifetime_days,
                                                max_pin_failures, allow_redownload, p12_key_type,
                                                pin_length, bulk_threads, bulk_start, bulk_max_rows,
                                                key_pool_size)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MailSettings, transport, from, from_name, smtp_url,
                                                smtp_require_tls, smtp_username, smtp_password_file,
                                                smtp_ca_file, smtp_timeout_seconds,
                                                retry_base_seconds, retry_max_seconds,
                                                give_up_hours, send_interval_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AuditSettings, checkpoint_interval)

namespace {

using nlohmann::json;

[[noreturn]] void bad_config(const std::string& what) {
    throw Error(ErrorCategory::InvalidInput, "config_invalid", what);
}

template <typename T>
void read_section(const json& j, const char* key, T& out) {
    if (!j.contains(key)) return;
    try {
        out = j.at(key).get<T>();
    } catch (const json::exception& e) {
        bad_config(std::string(key) + ": a value has the wrong type (" + e.what() + ")");
    }
}

// Until the publication listener existed, `init` saved these URLs, which pointed
// at nothing (the HTTPS-only public port); a state folder written then gets
// today's defaults. Any other configured value is kept.
void upgrade_old_default_urls(CaConfig& ca) {
    CaConfig defaults;
    if (ca.crl_url == "http://127.0.0.1:8444/crl.der") ca.crl_url = defaults.crl_url;
    if (ca.ocsp_url == "http://127.0.0.1:8444/ocsp") ca.ocsp_url = defaults.ocsp_url;
}

void apply_json(Config& c, const json& j, const std::string& file) {
    if (!j.is_object()) bad_config(file + ": top level must be a JSON object");
    if (j.contains("hsm") && j["hsm"].contains("pin")) {
        bad_config("hsm.pin must not be in the config file; use INKAN_HSM_PIN or hsm.pin_file");
    }
    read_section(j, "hsm", c.hsm);
    read_section(j, "ca", c.ca);
    upgrade_old_default_urls(c.ca);
    read_section(j, "http", c.http);
    read_section(j, "whois", c.whois);
    read_section(j, "issuance", c.issuance);
    read_section(j, "mail", c.mail);
    read_section(j, "audit", c.audit);
    if (j.contains("mail") && j["mail"].contains("smtp_password")) {
        bad_config(
            "mail.smtp_password must not be in the config file; use INKAN_SMTP_PASSWORD or "
            "mail.smtp_password_file");
    }
    read_section(j, "bootstrap_institution", c.bootstrap_institution);
}

uint16_t port_from_env(const char* name, const std::string& value) {
    try {
        size_t used = 0;
        int port = std::stoi(value, &used);
        if (used == value.size() && port >= 0 && port <= 65535) return static_cast<uint16_t>(port);
    } catch (const std::exception&) {
    }
    bad_config(std::string(name) + " must be a port number 0..65535");
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

// A secret from the environment (INKAN_HSM_PIN, INKAN_SMTP_PASSWORD): read once,
// then removed from the process environment (children and /proc/<pid>/environ
// no longer see it) and kept for later reads in this process.
SecretString take_secret_env(const char* name) {
    static std::mutex mutex;
    static std::map<std::string, SecretString> taken;
    std::lock_guard lock(mutex);
    if (const char* v = std::getenv(name); v && *v) {
        taken[name] = SecretString(v);
        OPENSSL_cleanse(const_cast<char*>(v), std::strlen(v));
        unsetenv(name);
    }
    auto it = taken.find(name);
    return it == taken.end() ? SecretString() : it->second;
}

// A systemd credential (LoadCredential=<id>): the first line of
// $CREDENTIALS_DIRECTORY/<id>; empty when there is no such directory or file.
SecretString read_credential(const char* id) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) return SecretString();
    std::ifstream in(std::filesystem::path(dir) / id);
    if (!in) return SecretString();
    std::string value;
    std::getline(in, value);
    SecretString secret(value);
    OPENSSL_cleanse(value.data(), value.size());
    return secret;
}

SecretString first_line_of(const std::string& file, const char* what) {
    std::ifstream in(file);
    if (!in) bad_config(std::string(what) + " " + file + " cannot be read");
    std::string value;
    std::getline(in, value);
    SecretString secret(value);
    OPENSSL_cleanse(value.data(), value.size());
    return secret;
}

json parse_file(const std::filesystem::path& file, std::ifstream& in) {
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        bad_config(file.string() + ": not valid JSON: " + e.what());
    }
}

void validate(const Config& c) {
    static const char* kKeyTypes[] = {"rsa-2048", "rsa-3072", "rsa-4096", "ec-p256", "ec-p384"};
    if (std::find(std::begin(kKeyTypes), std::end(kKeyTypes), c.ca.key_type) ==
        std::end(kKeyTypes)) {
        bad_config("ca.key_type must be one of rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384");
    }
    if (c.ca.validity_years < 1 || c.ca.validity_years > 30)
        bad_config("ca.validity_years must be 1..30");
    if (c.ca.crl_validity_hours < 1 || c.ca.crl_validity_hours > 24 * 366)
        bad_config("ca.crl_validity_hours must be 1..8784");
    if (c.ca.ocsp_validity_hours < 1 || c.ca.ocsp_validity_hours > 24 * 7)
        bad_config("ca.ocsp_validity_hours must be 1..168");
    if (c.http.threads < 1 || c.http.threads > 64) bad_config("http.threads must be 1..64");
    if (c.whois.failure_cache_seconds < 0 || c.whois.failure_cache_seconds > 3600)
        bad_config("whois.failure_cache_seconds must be 0..3600");
    if (c.http.max_body_bytes < 1024) bad_config("http.max_body_bytes must be at least 1024");
    if (c.http.front != "none" && c.http.front != "nginx")
        bad_config("http.front must be nginx or none");
    if (c.http.front_timeout_seconds < 1 || c.http.front_timeout_seconds > 300)
        bad_config("http.front_timeout_seconds must be 1..300");
    if (c.http.front_requests_per_second < 1 || c.http.front_connections_per_client < 1)
        bad_config(
            "http.front_requests_per_second and http.front_connections_per_client must be at "
            "least 1");
    if (std::find(std::begin(kKeyTypes), std::end(kKeyTypes), c.issuance.p12_key_type) ==
        std::end(kKeyTypes)) {
        bad_config(
            "issuance.p12_key_type must be one of rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384");
    }
    if (c.issuance.url_lifetime_days < 1 || c.issuance.url_lifetime_days > 366)
        bad_config("issuance.url_lifetime_days must be 1..366");
    if (c.issuance.max_pin_failures < 1 || c.issuance.max_pin_failures > 100)
        bad_config("issuance.max_pin_failures must be 1..100");
    if (c.issuance.pin_length < 8 || c.issuance.pin_length > 51)
        bad_config("issuance.pin_length must be 8..51");
    if (c.issuance.bulk_threads < 1 || c.issuance.bulk_threads > 64)
        bad_config("issuance.bulk_threads must be 1..64");
    if (c.issuance.bulk_start != "upload" && c.issuance.bulk_start != "pin_view" &&
        c.issuance.bulk_start != "download")
        bad_config("issuance.bulk_start must be one of upload, pin_view, download");
    if (c.issuance.bulk_max_rows < 1 || c.issuance.bulk_max_rows > 1000000)
        bad_config("issuance.bulk_max_rows must be 1..1000000");
    if (c.issuance.key_pool_size < 0 || c.issuance.key_pool_size > 100000)
        bad_config("issuance.key_pool_size must be 0..100000");
    auto at = c.mail.from.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == c.mail.from.size() ||
        c.mail.from.find_first_of(" \t\r\n<>,;\"") != std::string::npos ||
        c.mail.from.find('@', at + 1) != std::string::npos)
        bad_config("mail.from must be a bare mail address (local@domain)");
    const MailSettings& m = c.mail;
    if (m.transport != "maildir" && m.transport != "smtp" && m.transport != "none")
        bad_config("mail.transport must be maildir, smtp or none");
    if (m.transport == "smtp" && m.smtp_url.rfind("smtp://", 0) != 0 &&
        m.smtp_url.rfind("smtps://", 0) != 0)
        bad_config("mail.smtp_url must be smtp://host[:port] or smtps://host[:port]");
    if (m.retry_base_seconds < 1 || m.retry_max_seconds < m.retry_base_seconds)
        bad_config("mail.retry_base_seconds must be at least 1 and at most retry_max_seconds");
    if (m.give_up_hours < 1) bad_config("mail.give_up_hours must be at least 1");
    if (m.send_interval_seconds < 1 || m.smtp_timeout_seconds < 1)
        bad_config("mail.send_interval_seconds and mail.smtp_timeout_seconds must be at least 1");
    if (c.audit.checkpoint_interval < 1 || c.audit.checkpoint_interval > 100000)
        bad_config("audit.checkpoint_interval must be 1..100000");
    if (c.hsm.token_label.empty() || c.hsm.token_label.size() > 32)
        bad_config("hsm.token_label must be 1..32 characters");
}

}  // namespace

Config load_config(const std::filesystem::path& state_dir, const std::string& config_file) {
    Config c;
    c.state_dir = state_dir;
    // With --config, the state folder's inkan.json (what init and serve
    // recorded: key ids, token) comes first and the given file on top of it,
    // so a read-only /etc/inkan/inkan.json wins for every key it sets.
    const std::filesystem::path own = state_dir / "inkan.json";
    std::vector<std::filesystem::path> files = {own};
    if (!config_file.empty()) {
        std::error_code ec;
        if (!std::filesystem::exists(own) || std::filesystem::equivalent(own, config_file, ec)) {
            files.clear();
        }
        files.push_back(config_file);
    }
    // Merged key by key (RFC 7386): a section the given file names keeps the
    // state file's other keys of that section (hsm.ca_key_id under hsm.module_path).
    json merged = json::object();
    std::string names;
    for (const auto& file : files) {
        std::ifstream in(file);
        if (in) {
            json j = parse_file(file, in);
            if (!j.is_object()) bad_config(file.string() + ": top level must be a JSON object");
            merged.merge_patch(j);
            names += (names.empty() ? "" : " + ") + file.string();
        } else if (file == std::filesystem::path(config_file)) {
            bad_config("config file " + config_file + " cannot be read");
        }
    }
    if (!names.empty()) apply_json(c, merged, names);
    if (auto v = env("INKAN_HSM_MODULE"); !v.empty()) c.hsm.module_path = v;
    if (auto v = env("INKAN_HSM_TOKEN_LABEL"); !v.empty()) c.hsm.token_label = v;
    if (auto v = env("INKAN_HSM_PIN_FILE"); !v.empty()) c.hsm.pin_file = v;
    if (auto v = env("INKAN_BIND_ADDRESS"); !v.empty()) c.http.bind_address = v;
    if (auto v = env("INKAN_FRONT"); !v.empty()) c.http.front = v;
    if (auto v = env("INKAN_OPERATOR_PORT"); !v.empty())
        c.http.operator_port = port_from_env("INKAN_OPERATOR_PORT", v);
    if (auto v = env("INKAN_PUBLIC_PORT"); !v.empty())
        c.http.public_port = port_from_env("INKAN_PUBLIC_PORT", v);
    if (auto v = env("INKAN_CRL_PORT"); !v.empty())
        c.http.crl_port = port_from_env("INKAN_CRL_PORT", v);
    if (auto v = env("INKAN_METRICS_PORT"); !v.empty())
        c.http.metrics_port = port_from_env("INKAN_METRICS_PORT", v);
    if (c.hsm.pin_file.empty()) c.hsm.pin_file = (state_dir / "hsm-user-pin").string();
    if (c.hsm.softhsm_conf.empty() && c.hsm.module_path.find("softhsm") != std::string::npos) {
        c.hsm.softhsm_conf = (state_dir / "softhsm2.conf").string();
    }
    if (auto v = env("INKAN_MAIL_TRANSPORT"); !v.empty()) c.mail.transport = v;
    // Secrets: the environment, then a systemd credential, then the file.
    if (auto v = take_secret_env("INKAN_SMTP_PASSWORD"); !v.empty()) {
        c.smtp_password = std::move(v);
    } else if (auto cred = read_credential(kSmtpPasswordCredential); !cred.empty()) {
        c.smtp_password = std::move(cred);
    } else if (!c.mail.smtp_password_file.empty()) {
        c.smtp_password = first_line_of(c.mail.smtp_password_file, "mail.smtp_password_file");
    }
    if (auto v = take_secret_env("INKAN_HSM_PIN"); !v.empty()) {
        c.hsm.pin = std::move(v);
    } else if (auto cred = read_credential(kHsmPinCredential); !cred.empty()) {
        c.hsm.pin = std::move(cred);
    } else if (std::ifstream pin(c.hsm.pin_file); pin) {
        c.hsm.pin = first_line_of(c.hsm.pin_file, "hsm.pin_file");
    }
    validate(c);
    return c;
}

nlohmann::json config_to_json(const Config& c) {
    return {{"hsm", c.hsm},           {"ca", c.ca},
            {"http", c.http},         {"whois", c.whois},
            {"issuance", c.issuance}, {"mail", c.mail},
            {"audit", c.audit},       {"bootstrap_institution", c.bootstrap_institution}};
}

void save_config(const Config& c) {
    write_file_with_mode(c.state_dir / "inkan.json", config_to_json(c).dump(2) + "\n", 0600);
}

}  // namespace inkan::appliance
