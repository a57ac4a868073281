// What the HTTP front end needs from the issuance workflow (issue 4): batch
// upload and status for RA operators, and the PIN / retrieval URLs of
// subscribers. api owns this interface; appliance/ wires it to
// issuance::IssuanceService with the policy context. api uses the workflow's
// plain data types and never links the workflow, the HSM or the store.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/authority.h"
#include "issuance/issuance_service.h"

namespace inkan::api {

class IssuanceDesk {
  public:
    virtual ~IssuanceDesk() = default;

    virtual issuance::BatchResult submit(const OperatorIdentity& who, std::string_view file,
                                         policy::Action action, policy::ErrorMode mode) = 0;
    // POST /api/v1/revocations/by-mail: a person leaves (the operator's institution).
    virtual issuance::RevocationResult revoke_by_mail(const OperatorIdentity& who,
                                                      const std::string& mail, int reason,
                                                      const std::string& comment) = 0;
    virtual issuance::BatchState get_batch(const OperatorIdentity& who, const std::string& id) = 0;
    virtual std::vector<issuance::BatchState> list_batches(const OperatorIdentity& who) = 0;
    virtual issuance::RevocationFile revocation_file(const OperatorIdentity& who,
                                                     const std::string& id) = 0;
    // POST /api/v1/requests/{id}/rows/{row}/unlock and .../resend (row 0: a P12
    // bulk batch as a whole).
    virtual issuance::RowState unlock_row(const OperatorIdentity& who, const std::string& id,
                                          int64_t row) = 0;
    virtual issuance::BatchResult resend_urls(const OperatorIdentity& who, const std::string& id,
                                              int64_t row) = 0;

    // POST /api/v1/requests/check: the upload's check and report (as the
    // operator's institution), storing nothing. policy::report_to_json's shape.
    virtual nlohmann::json check_request_file(const OperatorIdentity& who, std::string_view file,
                                              policy::Action action, policy::ErrorMode mode) = 0;

    virtual issuance::PinPage view_pins(const std::string& pin_token) = 0;
    virtual issuance::PinUrlState pin_url_state(const std::string& pin_token) = 0;
    virtual issuance::DownloadedFile download_p12(const std::string& token, const SecretString& pin,
                                                  const issuance::P12Choice& choice) = 0;
    // P12 bulk: the ZIP when its job is ready, else the job's progress (see
    // IssuanceService::download_bulk_zip); bulk_zip_delivered once all of it was
    // sent; bulk_zip_status changes nothing.
    virtual issuance::BulkZip download_bulk_zip(const std::string& token, bool legacy) = 0;
    virtual void bulk_zip_delivered(const std::string& token) = 0;
    virtual issuance::BulkZipProgress bulk_zip_status(const std::string& token) = 0;
    virtual issuance::EnrolledCertificate enroll_browser(
        const std::string& token, const SecretString& pin,
        const issuance::BrowserRequest& request) = 0;
};

}  // namespace inkan::api
