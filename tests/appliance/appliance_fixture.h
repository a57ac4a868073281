// A whole appliance in the test process: a fresh state folder with an embedded
// SoftHSM token, an EC P-256 CA key and self-signed CA, the HTTPS server on
// loopback ports chosen by the kernel, and one RA operator's credential.
#pragma once

#include <memory>

#include "api/certificate_handlers.h"
#include "api/http_server.h"
#include "appliance/bootstrap.h"
#include "appliance/operator_authority.h"
#include "appliance/services.h"
#include "appliance/audited.h"
#include "appliance/issuance_desk.h"
#include "api/request_handlers.h"
#include "tests/support/https_client.h"
#include "tests/support/loopback_whois_server.h"
#include "tests/support/temp_dir.h"

namespace inkan::test {

struct ApplianceOptions {
    std::string institution = "Example University";
    // Register the institution (example.ac.jp approved, ST=Tokyo, L=Chiyoda-ku)
    // and answer WHOIS for example.ac.jp from a loopback server; P12 keys are
    // EC P-256 for speed.
    bool issuance = false;
    int url_lifetime_days = 30;
};

class ApplianceFixture {
public:
    explicit ApplianceFixture(ApplianceOptions options = {});
    ~ApplianceFixture();

    appliance::Services& services() { return *services_; }
    const appliance::Config& config() const { return config_; }
    const TempDir& dir() const { return dir_; }

    // Client of the operator endpoint presenting `credential` (default: the
    // fixture's operator), and of the public endpoint (no client certificate).
    HttpsClient operator_client() const { return client_for(operator_); }
    HttpsClient client_for(const appliance::OperatorCredential& credential) const;
    HttpsClient anonymous_operator_client() const;
    HttpsClient public_client() const;

    appliance::OperatorCredential add_operator(const std::string& name, const std::string& institution);
    const appliance::OperatorCredential& operator_credential() const { return operator_; }

private:
    TempDir dir_;
    std::unique_ptr<LoopbackWhoisServer> whois_;
    appliance::Config config_;
    std::unique_ptr<appliance::Services> services_;
    std::unique_ptr<appliance::OperatorAuthority> authority_;
    std::unique_ptr<appliance::AuditLog> audit_;
    std::unique_ptr<appliance::AuditedAuthority> audited_authority_;
    std::unique_ptr<appliance::AuditedDesk> audited_desk_;
    std::unique_ptr<api::HttpServer> server_;
    std::unique_ptr<api::CertificateHandlers> certificate_handlers_;
    std::unique_ptr<api::PublicHandlers> public_handlers_;
    std::unique_ptr<appliance::ApplianceIssuanceDesk> desk_;
    std::unique_ptr<api::RequestHandlers> request_handlers_;
    std::unique_ptr<api::RetrievalHandlers> retrieval_handlers_;
    appliance::OperatorCredential operator_;
};

}  // namespace inkan::test
