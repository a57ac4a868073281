// The CA's revocation list: a full v2 CRL of every revoked certificate in the
// store, signed through the Signer (the CA key in the HSM), numbered from the
// store (monotonically increasing) and kept there; relying parties get the
// stored bytes, nothing is rebuilt per request.
//
// Callers regenerate() once per revocation batch; `inkan serve` also runs
// refresh_if_due() on a timer, which catches revocations made by any other path
// (another process, the undelivered-certificate recovery) and renews the CRL at
// half its validity, well before nextUpdate.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "pki/asn1_time.h"
#include "pki/signer.h"
#include "store/certificate_store.h"
#include "store/crl_store.h"

namespace inkan::ca {

class CrlPublisher {
  public:
    // validity: nextUpdate - thisUpdate (at least one minute).
    CrlPublisher(pki::Signer& signer, const X509* ca_certificate,
                 store::CertificateStore& certificates, store::CrlStore& crls,
                 std::chrono::seconds validity);

    // Builds, signs and stores a CRL with the next number. Thread-safe; a number
    // another process took meanwhile is skipped (one retry).
    store::CrlRecord regenerate(pki::TimePoint now = std::chrono::system_clock::now());

    // Regenerates when no CRL was published yet, the revoked set changed since the
    // latest, or half of the latest's validity has passed. Returns the new CRL, if any.
    std::optional<store::CrlRecord> refresh_if_due(
        pki::TimePoint now = std::chrono::system_clock::now());

    std::optional<store::CrlRecord> latest() { return crls_.latest(); }
    std::chrono::seconds validity() const { return validity_; }

  private:
    store::CrlRecord build_and_store(pki::TimePoint now);

    pki::Signer& signer_;
    const X509* ca_certificate_;
    store::CertificateStore& certificates_;
    store::CrlStore& crls_;
    std::chrono::seconds validity_;
    std::mutex mutex_;
};

// The store's serial key (lowercase hex, no leading zeros) as big-endian bytes.
Bytes serial_bytes(const std::string& serial_hex);

}  // namespace inkan::ca
