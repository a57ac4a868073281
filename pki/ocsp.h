// OCSP responses (RFC 6960) signed directly by the CA key through a Signer (no
// delegated responder certificate). The BasicOCSPResponse is assembled from the
// exact ResponseData bytes signed and verified before it is returned.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <functional>

#include "common/bytes.h"
#include "pki/asn1_time.h"
#include "pki/crl.h"
#include "pki/signer.h"

namespace inkan::pki {

enum class OcspCertStatus { Good, Revoked, Unknown };

struct OcspStatus {
    OcspCertStatus status = OcspCertStatus::Unknown;
    TimePoint revocation_time;                  // Revoked only
    CrlReason reason = CrlReason::Unspecified;  // Revoked only; unspecified is left out
};

// Status of a serial issued by this CA (the store's answer). Unknown for serials
// the CA never issued.
using OcspStatusLookup = std::function<OcspStatus(const Bytes& serial)>;

struct OcspResponderOptions {
    TimePoint now;                             // producedAt and thisUpdate
    std::chrono::seconds validity{24 * 3600};  // nextUpdate = now + validity
};

// Answers a DER OCSPRequest with a DER OCSPResponse. A request that does not parse
// or names no certificate gets a malformedRequest response (unsigned, per RFC 6960);
// a certificate of another issuer (or with an unknown hash algorithm) gets "unknown".
// The request nonce, if any, is copied. ResponderID is byKey (SHA-1 of the CA key).
Bytes respond_ocsp(Signer& signer, const X509* issuer_certificate, ByteView request_der,
                   const OcspStatusLookup& lookup, const OcspResponderOptions& options);

}  // namespace inkan::pki
