// Revocation request files (action revoke, manual 1-4): every accepted row's
// certificate is revoked at once, with its revocation_completed events, in one
// transaction.
#include <algorithm>

#include "common/error.h"
#include "hsm/operations.h"
#include "issuance/issuance_service.h"
#include "issuance/service_impl.h"

namespace inkan::issuance {
namespace {

// One revocation_completed event per recipient (empty ones skipped); row_no is
// the request file's line, none for a revocation by mail.
void add_revocation_events(std::vector<store::NotificationRecord>& events,
                           const std::string& batch_id, const RevokedRow& revoked,
                           std::initializer_list<std::string> recipients, int64_t now) {
    for (const std::string& recipient : recipients) {
        if (recipient.empty()) continue;
        store::NotificationRecord n;
        n.type = "revocation_completed";
        n.batch_id = batch_id;
        if (revoked.line) n.row_no = static_cast<int64_t>(revoked.line);
        n.recipient = recipient;
        n.serial_hex = revoked.serial_hex;
        n.serial_dec = revoked.serial;
        n.subject = revoked.subject_dn;
        n.created_at = now;
        events.push_back(std::move(n));
    }
}

// Revokes and records the events in one transaction; drops from `revoked` what
// someone else revoked between the check and now (nothing was done for those).
void record(store::BatchStore& batches,
            const std::vector<store::BatchStore::Revocation>& revocations,
            const std::vector<store::NotificationRecord>& events, int64_t when,
            std::vector<RevokedRow>& revoked) {
    if (revocations.empty()) return;
    std::vector<std::string> already = batches.record_revocations(revocations, events, when);
    std::erase_if(revoked, [&](const RevokedRow& r) {
        return std::find(already.begin(), already.end(), r.serial_hex) != already.end();
    });
}

}  // namespace

BatchResult IssuanceService::Impl::submit_revocations(const OperatorInfo& op,
                                                      const policy::CheckReport& report) {
    BatchResult result;
    result.report = policy::report_to_json(report);
    // Only already revoked certificates: accepted, with nothing to revoke.
    if (nothing_to_store(report, false)) {
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
        revoked.serial_hex = ca::serial_key_of_text(row.serial);
        revoked.subject_dn = row.dn.to_string();
        revoked.reason = static_cast<int>(row.reason);
        std::optional<std::string> comment;
        if (!row.comment.empty()) comment = row.comment;
        revocations.push_back({revoked.serial_hex, revoked.reason, comment});
        // The manual: the RA operator and the subscriber admin are told.
        add_revocation_events(events, batch_id, revoked, {op.email, row.admin_mail, row.user_mail},
                              when);
        result.revoked.push_back(std::move(revoked));
    }
    record(batches, revocations, events, when, result.revoked);
    result.batch_id = batch_id;
    result.status = "accepted";
    return result;
}

RevocationResult IssuanceService::revoke_by_mail(const OperatorInfo& op, const std::string& mail,
                                                 int reason, const std::string& comment) {
    if (!policy::is_valid_mail(mail))
        throw policy::to_error(policy::make_finding("mail_invalid", 0, 14));
    if (!policy::is_subscriber_revocation_reason(reason))
        throw policy::to_error(policy::make_finding("revocation_reason_invalid", 0, 5));
    if (reason == 0 && comment.empty())
        throw policy::to_error(policy::make_finding("revocation_comment_required", 0, 6));
    Impl& m = *impl_;
    const int64_t when = m.now();
    store::CertificateQuery query;
    query.institution = op.institution;
    query.mail = mail;
    query.validity = store::Validity::Valid;
    query.now = when;
    query.limit = 1000;
    std::vector<store::CertificateRecord> found;
    for (;;) {
        auto page = m.authority.certificates().search_subscribers(query);
        for (auto& match : page.matches) found.push_back(std::move(match.record));
        if (page.matches.empty() || found.size() >= page.total) break;
        query.offset += page.matches.size();
    }
    RevocationResult result;
    result.batch_id = hex_encode(hsm::generate_random(m.token, 16));
    std::vector<store::BatchStore::Revocation> revocations;
    std::vector<store::NotificationRecord> events;
    std::optional<std::string> kept_comment;
    if (!comment.empty()) kept_comment = comment;
    for (const auto& record : found) {
        RevokedRow revoked{0, record.serial_dec, record.serial_hex, record.subject, reason};
        revocations.push_back({record.serial_hex, reason, kept_comment});
        add_revocation_events(events, result.batch_id, revoked, {op.email, mail}, when);
        result.revoked.push_back(std::move(revoked));
    }
    record(m.batches, revocations, events, when, result.revoked);
    return result;
}

}  // namespace inkan::issuance
