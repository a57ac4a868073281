// Revocation request files Inkan writes for an RA operator: after a renewal, the
// request that revokes the certificate it replaced, ready to upload unchanged as
// action revoke (manual 1-3: the old certificate is revoked by a revocation
// request once the new one is installed).
//
// The revoke layout of request-files.md exactly: 15 tab-separated columns, 1 the
// subject DN, 4 the serial (decimal), 5 the reason (RFC 5280 CRLReason), 6 the
// comment, 10 the subscriber admin's mail, 14 the user's mail, the others empty;
// no header; Shift_JIS (CP932) with CRLF line ends, as the RA front ends write.
#pragma once

#include <string>
#include <vector>

#include "policy/request_rows.h"

namespace inkan::policy {

// The rows' lines in Shift_JIS, each ending in CRLF. A value Shift_JIS cannot
// express throws Error(InvalidInput, "encoding_unrepresentable").
std::string write_revocation_file(const std::vector<RevokeRow>& rows);

}  // namespace inkan::policy
