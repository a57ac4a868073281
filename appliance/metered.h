// Metrics decorators (style rule 7, beside the audit ones in audited.h): each
// call that issues, delivers or revokes certificates is counted by outcome
// (metrics/workflow_metrics.h), then forwarded to the inner interface.
#pragma once

#include "api/authority.h"
#include "api/issuance_desk.h"
#include "metrics/workflow_metrics.h"

namespace inkan::appliance {

class MeteredAuthority final : public api::Authority {
  public:
    MeteredAuthority(api::Authority& inner, metrics::WorkflowMetrics& metrics)
        : inner_(inner), metrics_(metrics) {}
    api::OperatorIdentity authenticate_operator(X509* client_certificate) override {
        return inner_.authenticate_operator(client_certificate);
    }
    std::string ca_certificate_pem() override { return inner_.ca_certificate_pem(); }
    api::CertificateView issue_from_csr(const api::OperatorIdentity& who, ByteView csr,
                                        int profile_id) override;
    api::CertificateView find_certificate(const api::OperatorIdentity& who,
                                          const std::string& serial) override {
        return inner_.find_certificate(who, serial);
    }
    api::CertificatePage list_certificates(const api::OperatorIdentity& who,
                                           const api::CertificateQuery& query) override {
        return inner_.list_certificates(who, query);
    }

  private:
    api::Authority& inner_;
    metrics::WorkflowMetrics& metrics_;
};

class MeteredDesk final : public api::IssuanceDesk {
  public:
    MeteredDesk(api::IssuanceDesk& inner, metrics::WorkflowMetrics& metrics)
        : inner_(inner), metrics_(metrics) {}
    issuance::BatchResult submit(const api::OperatorIdentity& who, std::string_view file,
                                 policy::Action action, policy::ErrorMode mode) override;
    issuance::RevocationResult revoke_by_mail(const api::OperatorIdentity& who,
                                              const std::string& mail, int reason,
                                              const std::string& comment) override;
    issuance::BatchState get_batch(const api::OperatorIdentity& who,
                                   const std::string& id) override {
        return inner_.get_batch(who, id);
    }
    std::vector<issuance::BatchState> list_batches(const api::OperatorIdentity& who) override {
        return inner_.list_batches(who);
    }
    issuance::RevocationFile revocation_file(const api::OperatorIdentity& who,
                                             const std::string& id) override {
        return inner_.revocation_file(who, id);
    }
    issuance::RowState unlock_row(const api::OperatorIdentity& who, const std::string& id,
                                  int64_t row) override {
        return inner_.unlock_row(who, id, row);
    }
    issuance::BatchResult resend_urls(const api::OperatorIdentity& who, const std::string& id,
                                      int64_t row) override {
        return inner_.resend_urls(who, id, row);
    }
    nlohmann::json check_request_file(const api::OperatorIdentity& who, std::string_view file,
                                      policy::Action action, policy::ErrorMode mode) override {
        return inner_.check_request_file(who, file, action, mode);
    }
    issuance::PinPage view_pins(const std::string& token) override;
    issuance::PinUrlState pin_url_state(const std::string& token) override {
        return inner_.pin_url_state(token);
    }
    issuance::DownloadedFile download_p12(const std::string& token, const SecretString& pin,
                                          const issuance::P12Choice& choice) override;
    issuance::BulkZip download_bulk_zip(const std::string& token, bool legacy) override;
    void bulk_zip_delivered(const std::string& token) override;
    issuance::BulkZipProgress bulk_zip_status(const std::string& token) override {
        return inner_.bulk_zip_status(token);
    }
    issuance::EnrolledCertificate enroll_browser(const std::string& token, const SecretString& pin,
                                                 const issuance::BrowserRequest& request) override;

  private:
    api::IssuanceDesk& inner_;
    metrics::WorkflowMetrics& metrics_;
};

}  // namespace inkan::appliance
