#include "store/subject_claims.h"

namespace inkan::store {

bool subject_claimed(Connection& c, const SubjectClaim& claim, int64_t now,
                     const std::string& except_serial) {
    // ?3/?4: the claiming row (NULL for a direct CSR); ?5: its own reservation.
    Statement s(c,
                "SELECT 1 FROM certificates WHERE subject = ?1 AND kind = 'subscriber' "
                "  AND status = 'valid' AND not_after > ?2 "
                "  AND (?3 IS NULL OR batch_id IS NOT ?3 OR row_no IS NOT ?4) "
                "UNION ALL "
                "SELECT 1 FROM issuance_rows r JOIN issuance_batches b ON b.id = r.batch_id "
                "  WHERE r.subject_dn = ?1 AND r.status IN ('accepted', 'pin_viewed') "
                "  AND b.expires_at > ?2 AND (?3 IS NULL OR r.batch_id != ?3 OR r.row_no != ?4) "
                "UNION ALL "
                "SELECT 1 FROM serials WHERE subject = ?1 AND settled_at IS NULL "
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
