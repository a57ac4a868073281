// A whole appliance in the test process: a fresh state folder with an embedded
// SoftHSM token, an EC P-256 CA key and self-signed CA, the HTTPS server on
// loopback ports chosen by the kernel (Pistache's TLS; with ApplianceOptions::front
// "nginx" the TLS front on free loopback ports), and one RA operator's credential.
#pragma once

#include <memory>
#include <optional>

#include "appliance/appliance_server.h"
#include "appliance/bootstrap.h"
#include "appliance/services.h"
#include "tests/support/client_credential.h"
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
    // whois.cache_ttl_seconds; unset: the configuration's default (3600). 0 lets a
    // test change a WHOIS answer between an upload and a download.
    std::optional<int> whois_cache_ttl_seconds = std::nullopt;
    // mail.transport: "none" (the upload answer carries the URLs, as most tests
    // use them), "maildir" or "smtp" (then mail_smtp_url).
    std::string mail_transport = "none";
    std::string mail_smtp_url = "";
    // http.front: "none" (Pistache serves TLS, as most tests use it) or "nginx"
    // (the TLS front on free loopback ports, the application behind it).
    std::string front = "none";
};

class ApplianceFixture {
  public:
    explicit ApplianceFixture(ApplianceOptions options = {});
    ~ApplianceFixture();

    appliance::Services& services() { return *services_; }
    const appliance::ApplianceServer& server() const { return *server_; }
    const appliance::Config& config() const { return config_; }
    const TempDir& dir() const { return dir_; }
    // The audit trail as text, one JSON object per record: {"event": ..., fields...}.
    std::string audit_text() const;
    // The loopback WHOIS server `whois.servers` points at (answers can change at run time).
    LoopbackWhoisServer& whois() { return *whois_; }

    // Client of the operator endpoint presenting `credential` (default: the
    // fixture's operator), and of the public endpoint (no client certificate).
    HttpsClient operator_client() const { return client_for(operator_); }
    HttpsClient client_for(const ClientCredential& credential) const;
    HttpsClient anonymous_operator_client() const;
    HttpsClient public_client() const;
    // The plain-HTTP publication listener (CRL, CA certificate, OCSP).
    uint16_t crl_port() const { return server_->crl_port(); }
    std::string crl_base_url() const { return "http://127.0.0.1:" + std::to_string(crl_port()); }

    // A new operator: its certificate and key taken out of the handed-over
    // PKCS#12 into the test's folder (dir()/client), never the state folder.
    ClientCredential add_operator(const std::string& name, const std::string& institution,
                                  store::OperatorRole role = store::OperatorRole::RaOperator,
                                  const std::string& email = "");
    // Registers another institution as ApplianceOptions::issuance registers the
    // fixture's own (ST=Tokyo, L=Chiyoda-ku, every profile), with `domain`
    // approved and the loopback WHOIS server naming it as the registrant.
    void add_institution(const std::string& name, const std::string& domain);
    const ClientCredential& operator_credential() const { return operator_; }

    // A P12-individual row downloaded as its subscriber does: the PIN page
    // (pin_url), then the PIN posted to retrieval_url. The PIN and the answer.
    struct RowDownload {
        std::string pin;
        HttpResponse response;
    };
    RowDownload download_row(const std::string& pin_url, const std::string& retrieval_url) const;

  private:
    TempDir dir_;
    std::unique_ptr<LoopbackWhoisServer> whois_;
    appliance::Config config_;
    std::unique_ptr<appliance::Services> services_;
    std::unique_ptr<appliance::ApplianceServer> server_;
    ClientCredential operator_;
};

// "CN=<cn>,O=<o>,L=Chiyoda-ku,ST=Tokyo,C=JP": a DN the fixture's institutions accept.
std::string subject_of(const std::string& cn, const std::string& o = "Example University");
// The path part of a URL the appliance handed out ("https://host:port/path").
std::string path_of(const std::string& url);
// A P12-individual request row (CRLF) for "CN=<cn>,OU=7,O=Example University,...",
// admin admin@example.ac.jp, user user7@example.ac.jp, renewing `old_serial` if given.
std::string row(const std::string& cn, const std::string& old_serial = "");
// Runs a shell command; a failed test expectation (not an abort) if it exits non-zero.
void sh_ok(const std::string& command);

}  // namespace inkan::test
