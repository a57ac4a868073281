// Audit decorators (style rule 7): the HTTP front end talks to these, they
// record each call's outcome in the AuditLog and forward to the real core.
#pragma once

#include <functional>
#include <iostream>
#include <optional>

#include "api/authority.h"
#include "api/client_address.h"
#include "api/issuance_desk.h"
#include "api/reports.h"
#include "appliance/audit_log.h"
#include "common/error.h"
#include "store/crl_store.h"

namespace inkan::appliance {

// Records an operation's outcome; never throws: the operation has happened (or
// failed) already, so a record that cannot be written is reported on stderr
// and the caller still gets its result or its error.
void record_outcome(AuditLog& log, const std::string& event, const nlohmann::json& fields,
                    const Error* error = nullptr);

// Dogtag's rule around one operation: records {event, outcome: started, client,
// ...fields} BEFORE running fn (it throws Error(Unavailable, "audit_unwritable")
// and fn does not run when that record cannot be written), then {event,
// outcome: ok, ...ok_fields(result)}, or {outcome: refused, code} for an
// inkan::Error (plus an hsm_error record for an HSM failure), or {outcome:
// failed, code: internal, cause} for any other exception; then rethrows.
template <typename Fn, typename OkFields>
auto audited(AuditLog& log, const std::string& event, nlohmann::json fields, Fn&& fn,
             OkFields&& ok_fields) {
    if (!api::current_client_address().empty()) fields["client"] = api::current_client_address();
    nlohmann::json started = fields;
    started["outcome"] = "started";
    log.record(event, started);
    auto result = [&] {
        try {
            return fn();
        } catch (const Error& e) {
            fields["outcome"] = "refused";
            fields["code"] = e.code();
            record_outcome(log, event, fields, &e);
            throw;
        } catch (const std::exception& e) {
            fields["outcome"] = "failed";
            fields["code"] = "internal";
            fields["cause"] = e.what();
            record_outcome(log, event, fields);
            throw;
        }
    }();
    fields["outcome"] = "ok";
    fields.update(ok_fields(result));
    record_outcome(log, event, fields);
    return result;
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

// Which batch and row a PIN or retrieval URL token belongs to (for the audit
// record of a refused PIN or download; the token itself is never recorded).
struct UrlOwner {
    std::string batch_id;
    std::optional<int64_t> row;  // unset: a P12 bulk batch as a whole
};
using UrlLocator = std::function<std::optional<UrlOwner>(const std::string& token)>;

class AuditedDesk final : public api::IssuanceDesk {
  public:
    AuditedDesk(api::IssuanceDesk& inner, AuditLog& log, UrlLocator locate)
        : inner_(inner), log_(log), locate_(std::move(locate)) {}
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
    issuance::BulkZip download_bulk_zip(const std::string& token, bool legacy) override;
    void bulk_zip_delivered(const std::string& token) override;
    issuance::BulkZipProgress bulk_zip_status(const std::string& token) override {
        return inner_.bulk_zip_status(token);
    }
    issuance::EnrolledCertificate enroll_browser(const std::string& token, const SecretString& pin,
                                                 const issuance::BrowserRequest& request) override;

  private:
    nlohmann::json url_fields(const std::string& token, nlohmann::json fields) const;
    api::IssuanceDesk& inner_;
    AuditLog& log_;
    UrlLocator locate_;
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

// Records each CRL before it is stored (number, thisUpdate, nextUpdate, how
// many certificates it lists): a CRL whose record cannot be written is not published.
class AuditedCrlStore final : public store::CrlStore {
  public:
    AuditedCrlStore(store::CrlStore& inner, AuditLog& log) : inner_(inner), log_(log) {}
    std::optional<store::CrlRecord> latest() override { return inner_.latest(); }
    void insert(const store::CrlRecord& record) override;
    int64_t revoked_count() override { return inner_.revoked_count(); }

  private:
    store::CrlStore& inner_;
    AuditLog& log_;
};

}  // namespace inkan::appliance
