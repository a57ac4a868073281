// Renewal (action renew, manual 1-3): rows are stored and downloaded as issue rows
// (issuance_service.cpp, downloads.cpp), each naming the certificate it replaces.
// Here: the revocation request file for the replaced certificates that were still
// valid when their renewal was downloaded.
#include <map>

#include "common/error.h"
#include "issuance/issuance_service.h"
#include "issuance/service_impl.h"

namespace inkan::issuance {

RevocationFile IssuanceService::revocation_file(const OperatorInfo& op,
                                                const std::string& batch_id) {
    Impl& m = *impl_;
    auto batch = m.own_batch(op, batch_id);
    if (batch.action != policy::to_string(policy::Action::Renew)) {
        throw Error(ErrorCategory::NotFound, "revocation_file_none",
                    "this request is not a renewal; only renewals leave a revocation request "
                    "file");
    }
    // By old serial: a re-download of a row leaves a second event for it.
    std::map<std::string, std::string> lines;
    for (const auto& event : m.batches.notifications_of(batch_id, "download_completed")) {
        if (event.attachment.empty() || !event.old_serial_hex) continue;
        auto old = m.authority.certificates().find(*event.old_serial_hex);
        if (!old || old->status != store::CertificateStatus::Valid) continue;
        lines[*event.old_serial_hex] = event.attachment;
    }
    if (lines.empty()) {
        throw Error(ErrorCategory::NotFound, "revocation_file_none",
                    "no certificate of this renewal is waiting to be revoked: none was downloaded "
                    "yet, or the old certificates were revoked or expired already");
    }
    RevocationFile file;
    file.file_name = batch_id + "-revoke.tsv";
    for (const auto& [serial, line] : lines) file.content += line;
    file.rows = lines.size();
    return file;
}

}  // namespace inkan::issuance
