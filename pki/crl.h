// CRL building (v2, RFC 5280 section 5), signed through a Signer.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "pki/asn1_time.h"
#include "pki/signer.h"

namespace inkan::pki {

// RFC 5280 CRLReason values. 7 is unused and 8 (removeFromCRL) is for delta CRLs only;
// both are refused. unspecified (0) is encoded by leaving the reasonCode out (RFC 5280
// 5.3.1 SHOULD, CA/Browser Forum practice).
enum class CrlReason : int {
    Unspecified = 0,
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    CertificateHold = 6,
    PrivilegeWithdrawn = 9,
    AaCompromise = 10,
};

// Throws Error(InvalidInput, "bad_crl_reason") for a number that is not a usable reason.
CrlReason crl_reason_from_int(int value);

struct RevokedCertificate {
    Bytes serial;  // big-endian
    TimePoint revocation_time;
    CrlReason reason = CrlReason::Unspecified;
    // invalidityDate entry extension (RFC 5280 5.3.2): when the key is known or
    // suspected to have been compromised. Callers set it for keyCompromise.
    std::optional<TimePoint> invalidity_date;
};

struct CrlContents {
    std::vector<RevokedCertificate> revoked;
    TimePoint this_update;
    TimePoint next_update;
    std::uint64_t crl_number = 0;  // monotonically increasing, kept by the caller
};

// Issuer name from issuer_certificate's subject; extensions: authorityKeyIdentifier
// (keyid of the issuer) and cRLNumber; entry extensions: reasonCode (not for
// unspecified) and invalidityDate (when given). Entries sorted by serial. Throws
// Error(InvalidInput, "bad_crl_times") if next_update <= this_update.
X509CrlPtr build_crl(Signer& signer, const X509* issuer_certificate, const CrlContents& contents);

}  // namespace inkan::pki
