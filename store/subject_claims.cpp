#include "store/subject_claims.h"

#include <string_view>

namespace inkan::store {
namespace {

// A request row still pending: accepted or PIN viewed, its URLs not expired
// (?2 = now), its uploading operator not revoked (a revoked uploader's
// rows can no longer be downloaded: SigningGate). Rows are `r`, batches `b`.
constexpr std::string_view kPendingRow =
    " r.status IN ('accepted', 'pin_viewed') AND r.urls_expire_at > ?2 "
    " AND NOT EXISTS (SELECT 1 FROM operators o JOIN certificates oc "
    "                 ON oc.serial_hex = o.certificate_serial "
    "                 WHERE o.name = b.operator_name AND oc.status = 'revoked') ";

}  // namespace

bool subject_claimed(Connection& c, const SubjectClaim& claim, int64_t now,
                     const std::string& except_serial) {
    // ?3/?4: the claiming row (NULL for a direct CSR); ?5: its own reservation;
    // ?6: the certificate a renewal replaces. DNs compare case-insensitively (RFC
    // 5280 caseIgnoreMatch; the DN rules allow ASCII only).
    Statement s(
        c,
        "SELECT 1 FROM certificates WHERE subject = ?1 COLLATE NOCASE AND kind = 'subscriber' "
        "  AND status = 'valid' AND not_after > ?2 "
        "  AND (?3 IS NULL OR batch_id IS NOT ?3 OR row_no IS NOT ?4) "
        "  AND serial_hex IS NOT ?6 "
        "UNION ALL "
        "SELECT 1 FROM issuance_rows r JOIN issuance_batches b ON b.id = r.batch_id "
        "  WHERE r.subject_dn = ?1 COLLATE NOCASE AND (?3 IS NULL OR r.batch_id != ?3 OR "
        "  r.row_no != ?4) AND " +
            std::string(kPendingRow) +
            "UNION ALL "
            "SELECT 1 FROM serials WHERE subject = ?1 COLLATE NOCASE AND settled_at IS NULL "
            "  AND serial_hex != ?5 "
            "LIMIT 1");
    s.bind(1, claim.subject).bind(2, now);
    if (claim.row) {
        s.bind(3, claim.row->batch_id).bind(4, claim.row->row_no);
    } else {
        s.bind_null(3);
        s.bind_null(4);
    }
    s.bind(5, except_serial).bind(6, claim.replaces_serial_hex);
    return s.step();
}

bool renewal_pending(Connection& c, const std::string& serial_hex, int64_t now) {
    Statement s(c,
                "SELECT 1 FROM issuance_rows r JOIN issuance_batches b ON b.id = r.batch_id "
                "  WHERE r.renews_serial_hex = ?1 AND " +
                    std::string(kPendingRow) + "LIMIT 1");
    s.bind(1, serial_hex).bind(2, now);
    return s.step();
}

}  // namespace inkan::store
