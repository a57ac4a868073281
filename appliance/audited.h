// Audit decorators (style rule 7): the HTTP front end talks to these, they
// record each call's outcome in the AuditLog and forward to the real core.
#pragma once

#include "api/authority.h"
#include "api/issuance_desk.h"
#include "api/reports.h"
#include "appliance/audit_log.h"
#include "common/error.h"

namespace inkan::appliance {

// Runs fn; records {event, outcome: ok, ...ok_fields(result)} or
// {event, outcome: refused, code} and rethrows.
template <typename Fn, typename OkFields>
auto audited(AuditLog& log, const std::string& event, nlohmann::json fields, Fn&& fn,
             OkFields&& ok_fields) {
    try {
        auto result = fn();
        fields["outcome"] = "ok";
        fields.update(ok_fields(result));
        log.record(event, fields);
        return result;
    } catch (const Error& e) {
        fields["outcome"] = "refused";
        fields["code"] = e.code();
        log.record(event, fields);
        throw;
    }
}

class AuditedAuthority final : public api::Authority {
  public:
    AuditedAuthority(api::Authority& inner, AuditLog& log) : inner_(inner), log_(log) {}
    api::OperatorIdentity authenticate_operator(X509* client_certificate) override;
    std::string ca_certificate_pem() override { return inner_.ca_certificate_pem(); }
    api::CertificateView issue_from_csr(const api::OperatorIdentity& who, ByteView csr,
                                        int profile_id) override;
    api::CertificateView find_certificate(const api::OperatorIdentity& who,
                                          const std::string& serial) override {
        return inner_.find_certificate(who, serial);
    }
    api::CertificatePage list_certificates(const api::OperatorIdentity& who,
                                           const api::CertificateQuery& query) override;

  private:
    api::Authority& inner_;
    AuditLog& log_;
};

class AuditedDesk final : public api::IssuanceDesk {
  public:
    AuditedDesk(api::IssuanceDesk& inner, AuditLog& log) : inner_(inner), log_(log) {}
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
                                  int64_t row) override;
    issuance::BatchResult resend_urls(const api::OperatorIdentity& who, const std::string& id,
                                      int64_t row) override;
    nlohmann::json check_request_file(const api::OperatorIdentity& who, std::string_view file,
                                      policy::Action action, policy::ErrorMode mode) override {
        return inner_.check_request_file(who, file, action, mode);  // stores nothing
    }
    issuance::PinPage view_pins(const std::string& token) override;
    issuance::PinUrlState pin_url_state(const std::string& token) override {
        return inner_.pin_url_state(token);  // reveals and changes nothing
    }
    issuance::DownloadedFile download_p12(const std::string& token, const SecretString& pin,
                                          const issuance::P12Choice& choice) override;
    issuance::DownloadedFile download_bulk_zip(const std::string& token, bool legacy) override;
    issuance::EnrolledCertificate enroll_browser(const std::string& token, const SecretString& pin,
                                                 const issuance::BrowserRequest& request) override;

  private:
    api::IssuanceDesk& inner_;
    AuditLog& log_;
};

// Records each certificate export (who, filters, how many certificates).
class AuditedReports final : public api::Reports {
  public:
    AuditedReports(api::Reports& inner, AuditLog& log) : inner_(inner), log_(log) {}
    std::unique_ptr<api::ExportArchive> export_certificates(const api::OperatorIdentity& who,
                                                            const api::CertificateQuery& query,
                                                            api::ExportEncoding encoding) override;
    std::string statistics(const api::OperatorIdentity& who,
                           api::StatisticsFormat format) override {
        return inner_.statistics(who, format);
    }

  private:
    api::Reports& inner_;
    AuditLog& log_;
};

}  // namespace inkan::appliance
