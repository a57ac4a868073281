// Revocation request files (action revoke, manual 1-4): every accepted row's
// certificate is revoked at once, with its revocation_completed events, in one
// transaction.
#include "common/error.h"
#include "hsm/operations.h"
#include "issuance/issuance_service.h"
#include "issuance/service_impl.h"
#include "pki/serial.h"

namespace inkan::issuance {
namespace {

store::NotificationRecord revocation_event(const std::string& batch_id,
                                           const policy::RevokeRow& row, const RevokedRow& revoked,
                                           std::string recipient, int64_t now) {
    store::NotificationRecord n;
    n.type = "revocation_completed";
    n.batch_id = batch_id;
    n.row_no = static_cast<int64_t>(row.line);
    n.recipient = std::move(recipient);
    n.serial_hex = revoked.serial_hex;
    n.serial_dec = revoked.serial;
    n.subject = revoked.subject_dn;
    n.created_at = now;
    return n;
}

}  // namespace

BatchResult IssuanceService::Impl::submit_revocations(const OperatorInfo& op,
                                                      const policy::CheckReport& report) {
    BatchResult result;
    result.report = policy::report_to_json(report);
    const bool store_nothing = report.file_error.has_value() ||
                               (report.mode == policy::ErrorMode::Abort && report.has_errors());
    if (store_nothing) {
        result.status = "rejected";
        return result;
    }
    const std::string batch_id = hex_encode(hsm::generate_random(token, 16));
    const int64_t when = now();
    std::vector<store::BatchStore::Revocation> revocations;
    std::vector<store::NotificationRecord> events;
    for (const policy::RevokeRow& row : report.accepted_revoke) {
        RevokedRow revoked;
        revoked.line = row.line;
        revoked.serial = row.serial;
        revoked.serial_hex = ca::serial_key(pki::serial_from_decimal(row.serial));
        revoked.subject_dn = row.dn.to_string();
        revoked.reason = static_cast<int>(row.reason);
        std::optional<std::string> comment;
        if (!row.comment.empty()) comment = row.comment;
        revocations.push_back({revoked.serial_hex, revoked.reason, comment});
        // The manual: the RA operator and the subscriber admin are told.
        events.push_back(revocation_event(batch_id, row, revoked, op.email, when));
        for (const std::string& mail : {row.admin_mail, row.user_mail})
            if (!mail.empty())
                events.push_back(revocation_event(batch_id, row, revoked, mail, when));
        result.revoked.push_back(std::move(revoked));
    }
    std::vector<std::string> already = batches.record_revocations(revocations, events, when);
    // Revoked by someone else between the check and now: nothing was done for them.
    std::erase_if(result.revoked, [&](const RevokedRow& r) {
        return std::find(already.begin(), already.end(), r.serial_hex) != already.end();
    });
    result.batch_id = batch_id;
    result.status = "accepted";
    return result;
}

}  // namespace inkan::issuance
