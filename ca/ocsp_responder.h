// OCSP (RFC 6960) for the certificates this CA issued: the status comes from the
// certificate store (valid -> good, revoked -> revoked with time and reason,
// never issued -> unknown) and the response is signed by the CA key through the
// Signer (pki::respond_ocsp).
#pragma once

#include <chrono>

#include "pki/ocsp.h"
#include "pki/signer.h"
#include "store/certificate_store.h"

namespace inkan::ca {

class OcspResponder {
  public:
    // validity: nextUpdate - thisUpdate of every answer.
    OcspResponder(pki::Signer& signer, const X509* ca_certificate,
                  store::CertificateStore& certificates, std::chrono::seconds validity);

    // A DER OCSPResponse for a DER OCSPRequest. Never throws: garbage gets
    // malformedRequest, a failure of the signer or the store internalError.
    Bytes respond(ByteView request_der);

    pki::OcspStatus status_of(const Bytes& serial);

  private:
    pki::Signer& signer_;
    const X509* ca_certificate_;
    store::CertificateStore& certificates_;
    std::chrono::seconds validity_;
};

}  // namespace inkan::ca
