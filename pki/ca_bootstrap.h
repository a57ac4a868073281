// Creating the CA's own certificates: a self-signed root, a PKCS#10 request for an
// external root, and accepting an imported issuing-CA certificate
// (check_issuing_ca_cert, declared in pki/issuer.h). The appliance's HTTPS server
// certificate is issued by CertificateIssuer with tls_server_profile() (pki/profile.h).
#pragma once

#include <openssl/x509.h>

#include <optional>

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "pki/asn1_time.h"
#include "pki/name.h"
#include "pki/signer.h"

namespace inkan::pki {

struct CaOptions {
    Bytes serial;                         // required: generate_serial()
    std::optional<TimePoint> not_before;  // default: now
    std::optional<long> path_length;      // basicConstraints pathLenConstraint (absent: none)
    bool digital_signature = true;        // keyUsage also digitalSignature (OCSP, signed mail)
};

// Root CA: v3, issuer = subject, validity not_before .. +years - 1 s,
// basicConstraints CA:TRUE critical, keyUsage keyCertSign + cRLSign (+digitalSignature)
// critical, SKI and AKI (both the key's id). Linted (lint_common), signed through
// the signer and checked with check_issuing_ca_cert before it is returned.
X509Ptr make_self_signed_ca(Signer& signer, const DistinguishedName& subject, int validity_years,
                            const CaOptions& options);

// PKCS#10 for the signer's key, requesting the same CA extensions (extensionRequest).
X509ReqPtr make_ca_csr(Signer& signer, const DistinguishedName& subject,
                       std::optional<long> path_length = std::nullopt);

}  // namespace inkan::pki
