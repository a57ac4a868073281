// api::IssuanceDesk over issuance::IssuanceService, with this appliance's
// policy context (institutions and certificates from the store, WHOIS). A
// revocation file regenerates the CRL once, after its batch.
#pragma once

#include <nlohmann/json.hpp>

#include "api/issuance_desk.h"
#include "appliance/policy_context.h"
#include "ca/crl_publisher.h"
#include "common/log.h"
#include "issuance/issuance_service.h"

namespace inkan::appliance {

class ApplianceIssuanceDesk final : public api::IssuanceDesk {
  public:
    ApplianceIssuanceDesk(issuance::IssuanceService& service, PolicyContext& policy,
                          ca::CrlPublisher& crl)
        : service_(service), policy_(policy), crl_(crl) {}

    issuance::BatchResult submit(const api::OperatorIdentity& who, std::string_view file,
                                 policy::Action action, policy::ErrorMode mode) override {
        auto result = service_.submit(info(who), file, action, mode, policy_.context());
        if (!result.revoked.empty()) regenerate_crl();
        return result;
    }
    issuance::RevocationResult revoke_by_mail(const api::OperatorIdentity& who,
                                              const std::string& mail, int reason,
                                              const std::string& comment) override {
        auto result = service_.revoke_by_mail(info(who), mail, reason, comment);
        if (!result.revoked.empty()) regenerate_crl();
        return result;
    }
    issuance::BatchState get_batch(const api::OperatorIdentity& who,
                                   const std::string& id) override {
        return service_.get_batch(info(who), id);
    }
    std::vector<issuance::BatchState> list_batches(const api::OperatorIdentity& who) override {
        return service_.list_batches(info(who));
    }
    issuance::RevocationFile revocation_file(const api::OperatorIdentity& who,
                                             const std::string& id) override {
        return service_.revocation_file(info(who), id);
    }
    issuance::RowState unlock_row(const api::OperatorIdentity& who, const std::string& id,
                                  int64_t row) override {
        return service_.unlock_row(info(who), id, row);
    }
    issuance::BatchResult resend_urls(const api::OperatorIdentity& who, const std::string& id,
                                      int64_t row) override {
        return service_.resend_urls(info(who), id, row);
    }
    nlohmann::json check_request_file(const api::OperatorIdentity& who, std::string_view file,
                                      policy::Action action, policy::ErrorMode mode) override {
        policy::CheckContext context = policy_.context();
        context.institution = who.institution;  // as submit() scopes it
        return policy::report_to_json(policy::check_request_file(file, action, mode, context));
    }
    issuance::PinPage view_pins(const std::string& token) override {
        return service_.view_pins(token);
    }
    issuance::PinUrlState pin_url_state(const std::string& token) override {
        return service_.pin_url_state(token);
    }
    issuance::DownloadedFile download_p12(const std::string& token, const SecretString& pin,
                                          const issuance::P12Choice& choice) override {
        return service_.download_p12(token, pin, choice);
    }
    issuance::BulkZip download_bulk_zip(const std::string& token, bool legacy) override {
        return service_.download_bulk_zip(token, legacy);
    }
    void bulk_zip_delivered(const std::string& token) override {
        service_.bulk_zip_delivered(token);
    }
    issuance::BulkZipProgress bulk_zip_status(const std::string& token) override {
        return service_.bulk_zip_status(token);
    }
    issuance::EnrolledCertificate enroll_browser(const std::string& token, const SecretString& pin,
                                                 const issuance::BrowserRequest& request) override {
        return service_.enroll_browser(token, pin, request);
    }

  private:
    // Once per revocation batch.
    void regenerate_crl() {
        try {
            crl_.regenerate();
        } catch (const std::exception& e) {
            // The revocations are stored; the serve timer publishes them within a minute.
            log::error("CRL regeneration after a revocation batch failed", {{"cause", e.what()}});
        }
    }
    static issuance::OperatorInfo info(const api::OperatorIdentity& who) {
        return {who.name, who.institution, who.email, who.role == OperatorRole::ServiceAdmin};
    }
    issuance::IssuanceService& service_;
    PolicyContext& policy_;
    ca::CrlPublisher& crl_;
};

}  // namespace inkan::appliance
