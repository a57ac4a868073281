#include "store/subject_claims.h"

namespace inkan::store {

bool subject_claimed(Connection& c, const SubjectClaim& claim, int64_t now,
                     const std::string& except_serial) {
    // ?3/?4: the claiming row (NULL for a direct CSR); ?5: its own reservation.
    // DNs compare case-insensitively (RFC 5280 caseIgnoreMatch; the DN rules
    // allow ASCII only). A row whose uploading operator has been revoked can no
    // longer be downloaded (SigningGate), so it holds its DN no more.
    Statement s(
        c,
        "SELECT 1 FROM certificates WHERE subject = ?1 COLLATE NOCASE AND kind = 'subscriber' "
        "  AND status = 'valid' AND not_after > ?2 "
        "  AND (?3 IS NULL OR batch_id IS NOT ?3 OR row_no IS NOT ?4) "
        "UNION ALL "
        "SELECT 1 FROM issuance_rows r JOIN issuance_batches b ON b.id = r.batch_id "
        "  WHERE r.subject_dn = ?1 COLLATE NOCASE AND r.status IN ('accepted', 'pin_viewed') "
        "  AND r.urls_expire_at > ?2 AND (?3 IS NULL OR r.batch_id != ?3 OR r.row_no != ?4) "
        "  AND NOT EXISTS (SELECT 1 FROM operators o JOIN certificates oc "
        "                  ON oc.serial_hex = o.certificate_serial "
        "                  WHERE o.name = b.operator_name AND oc.status = 'revoked') "
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
    s.bind(5, except_serial);
    return s.step();
}

}  // namespace inkan::store
