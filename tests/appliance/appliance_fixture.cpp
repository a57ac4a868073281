#include "tests/appliance/appliance_fixture.h"

namespace inkan::test {

ApplianceFixture::ApplianceFixture(ApplianceOptions options) {
    const std::string& institution = options.institution;
    config_ = appliance::load_config(dir_.path() / "state");
    config_.ca.key_type = "ec-p256";
    config_.issuance.p12_key_type = "ec-p256";
    config_.issuance.url_lifetime_days = options.url_lifetime_days;
    whois_ = std::make_unique<LoopbackWhoisServer>();
    whois_->answer("example.ac.jp", "Domain Name: EXAMPLE.AC.JP\r\nRegistrant Organization: " + institution + "\r\n");
    config_.whois.servers = {{"jp", "127.0.0.1:" + std::to_string(whois_->port())}};
    config_.http.operator_port = 0;
    config_.http.public_port = 0;
    config_.http.max_body_bytes = 256 * 1024;
    appliance::prepare_token_and_ca_key(config_);
    appliance::write_self_signed_ca(config_);
    services_ = appliance::open_services(config_);
    appliance::ensure_tls_certificate(*services_);
    operator_ = appliance::create_operator(*services_, "op1", institution, "op1@example.ac.jp",
                                           store::OperatorRole::RaOperator);
    if (options.issuance) {
        policy::Institution inst;
        inst.name = institution;
        inst.state = "Tokyo";
        inst.locality = "Chiyoda-ku";
        inst.whois_names = {institution};
        inst.enabled_profiles = {5, 7, 13, 14, 15, 16};
        inst.domains = {{"example.ac.jp", *policy::parse_date("2099-12-31")}};
        services_->policy->registry().add(inst);
    }
    authority_ = std::make_unique<appliance::OperatorAuthority>(*services_);
    api::HttpServerConfig hc;
    hc.operator_port = 0;
    hc.public_port = 0;
    hc.tls_certificate_file = config_.tls_certificate_path().string();
    hc.tls_key_file = config_.tls_key_path().string();
    hc.client_ca_file = config_.ca_certificate_path().string();
    hc.max_body_bytes = config_.http.max_body_bytes;
    server_ = std::make_unique<api::HttpServer>(hc);
    audit_ = std::make_unique<appliance::AuditLog>(config_.audit_log_path());
    audited_authority_ = std::make_unique<appliance::AuditedAuthority>(*authority_, *audit_);
    certificate_handlers_ = std::make_unique<api::CertificateHandlers>(*audited_authority_);
    public_handlers_ = std::make_unique<api::PublicHandlers>(*audited_authority_);
    desk_ = std::make_unique<appliance::ApplianceIssuanceDesk>(*services_->issuance, *services_->policy);
    audited_desk_ = std::make_unique<appliance::AuditedDesk>(*desk_, *audit_);
    request_handlers_ = std::make_unique<api::RequestHandlers>(*audited_authority_, *audited_desk_, [this] {
        return "https://127.0.0.1:" + std::to_string(server_->public_port());
    });
    retrieval_handlers_ = std::make_unique<api::RetrievalHandlers>(*audited_desk_);
    certificate_handlers_->register_routes(server_->operator_router());
    request_handlers_->register_routes(server_->operator_router());
    public_handlers_->register_routes(server_->public_router());
    retrieval_handlers_->register_routes(server_->public_router());
    server_->start();
}

ApplianceFixture::~ApplianceFixture() {
    if (server_) server_->stop();
}

HttpsClient ApplianceFixture::client_for(const appliance::OperatorCredential& credential) const {
    auto c = anonymous_operator_client();
    c.client_cert_file = credential.cert_path.string();
    c.client_key_file = credential.key_path.string();
    return c;
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

appliance::OperatorCredential ApplianceFixture::add_operator(const std::string& name,
                                                             const std::string& institution) {
    return appliance::create_operator(*services_, name, institution, "",
                                      store::OperatorRole::RaOperator);
}

}  // namespace inkan::test
