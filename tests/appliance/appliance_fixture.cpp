#include "tests/appliance/appliance_fixture.h"

#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>

#include "store/sqlite_audit_store.h"
#include "tests/support/run.h"

namespace inkan::test {

ApplianceFixture::ApplianceFixture(ApplianceOptions options) {
    const std::string& institution = options.institution;
    config_ = appliance::load_config(dir_.path() / "state");
    config_.ca.key_type = "ec-p256";
    config_.issuance.p12_key_type = "ec-p256";
    config_.issuance.url_lifetime_days = options.url_lifetime_days;
    whois_ = std::make_unique<LoopbackWhoisServer>();
    whois_->answer("example.ac.jp", "Domain Name: EXAMPLE.AC.JP\r\nRegistrant Organization: " +
                                        institution + "\r\n");
    config_.whois.servers = {{"jp", "127.0.0.1:" + std::to_string(whois_->port())}};
    if (options.whois_cache_ttl_seconds) {
        config_.whois.cache_ttl_seconds = *options.whois_cache_ttl_seconds;
    }
    config_.http.operator_port = 0;
    config_.http.public_port = 0;
    config_.http.crl_port = 0;
    config_.http.metrics_port = 0;  // the admin listener (GET /metrics) on a free port
    config_.http.front = options.front;
    if (options.front == "nginx") {  // nginx cannot report a port the kernel picked
        auto ports = free_loopback_ports(3);
        config_.http.operator_port = ports[0];
        config_.http.public_port = ports[1];
        config_.http.crl_port = ports[2];
    }
    config_.http.max_body_bytes = 256 * 1024;
    config_.mail.transport = options.mail_transport;
    config_.mail.smtp_url = options.mail_smtp_url;
    config_.mail.send_interval_seconds = 1;
    config_.mail.retry_base_seconds = 1;
    config_.mail.retry_max_seconds = 1;
    appliance::prepare_token_and_ca_key(config_);
    appliance::write_self_signed_ca(config_);
    services_ = appliance::open_services(config_);
    appliance::ensure_tls_certificate(*services_);
    appliance::ensure_mail_signer(*services_);
    operator_ =
        add_operator("op1", institution, store::OperatorRole::RaOperator, "op1@example.ac.jp");
    if (options.issuance) add_institution(institution, "example.ac.jp");
    server_ = std::make_unique<appliance::ApplianceServer>(*services_);
    server_->start();
}

ApplianceFixture::~ApplianceFixture() {
    if (server_) server_->stop();
}

HttpsClient ApplianceFixture::client_for(const ClientCredential& credential) const {
    auto c = anonymous_operator_client();
    c.client_cert_file = credential.cert_path.string();
    c.client_key_file = credential.key_path.string();
    return c;
}

std::string ApplianceFixture::audit_text() const {
    std::string out;
    store::SqliteAuditStore audit(*services_->database);
    audit.for_each_record([&](const store::AuditRecord& r) {
        auto line = nlohmann::json::parse(r.fields);
        line["event"] = r.event;
        out += line.dump() + "\n";
    });
    return out;
}

HttpsClient ApplianceFixture::anonymous_operator_client() const {
    HttpsClient c;
    c.port = server_->operator_port();
    c.ca_file = config_.ca_certificate_path().string();
    return c;
}

HttpsClient ApplianceFixture::public_client() const {
    HttpsClient c;
    c.port = server_->public_port();
    c.ca_file = config_.ca_certificate_path().string();
    return c;
}

ClientCredential ApplianceFixture::add_operator(const std::string& name,
                                                const std::string& institution,
                                                store::OperatorRole role,
                                                const std::string& email) {
    auto handed_over = appliance::create_operator(*services_, name, institution, email, role);
    return extract_client_credential(handed_over.p12_path, handed_over.password.str(),
                                     dir_ / "client", name);
}

void ApplianceFixture::add_institution(const std::string& name, const std::string& domain) {
    std::string upper = domain;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    whois_->answer(domain,
                   "Domain Name: " + upper + "\r\nRegistrant Organization: " + name + "\r\n");
    policy::Institution inst;
    inst.name = name;
    inst.state = "Tokyo";
    inst.locality = "Chiyoda-ku";
    inst.whois_names = {name};
    inst.enabled_profiles = {5, 7, 13, 14, 15, 16};
    inst.domains = {{domain, *policy::parse_date("2099-12-31")}};
    services_->policy->registry().add(inst);
}

ApplianceFixture::RowDownload ApplianceFixture::download_row(
    const std::string& pin_url, const std::string& retrieval_url) const {
    auto page = nlohmann::json::parse(public_client().post(path_of(pin_url), "").body);
    std::string pin = page["entries"][0]["pin"];
    auto response = public_client().post(path_of(retrieval_url),
                                         nlohmann::json{{"pin", pin}}.dump(), "application/json");
    EXPECT_EQ(response.status, 200) << response.body;
    return {pin, response};
}

std::string subject_of(const std::string& cn, const std::string& o) {
    return "CN=" + cn + ",O=" + o + ",L=Chiyoda-ku,ST=Tokyo,C=JP";
}

std::string row(const std::string& cn, const std::string& old_serial) {
    return "CN=" + cn + ",OU=7,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t" +
           old_serial + "\t\t\t\tAdmin Taro\tIT\tadmin@example.ac.jp\t" + cn + "\t\t\t" +
           "user7@example.ac.jp\t\r\n";
}

std::string path_of(const std::string& url) {
    std::smatch m;
    static const std::regex re("^https://[^/]+(/.*)$");
    EXPECT_TRUE(std::regex_match(url, m, re)) << url;
    return m[1];
}

void sh_ok(const std::string& command) {
    auto r = run(command);
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.output;
}

}  // namespace inkan::test
