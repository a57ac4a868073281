// Certificate requests from subscribers: PKCS#10 (PEM, DER or bare base64 DER,
// detected from the content) and SPKAC (Netscape SPKI from legacy <keygen> forms).
// Key policy as pki/key_policy.h: RSA 2048..8192, EC P-256/P-384.
//
// Stable error codes (also for SPKAC):
//   csr_malformed       Error(InvalidInput)  does not parse
//   csr_bad_signature   Error(InvalidInput)  proof of possession fails
//   csr_key_unsupported Error(Unsupported)   key type or size against policy
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/openssl_ptr.h"

namespace inkan::pki {

// Parse only (csr_malformed).
X509ReqPtr parse_csr(ByteView pem_der_or_base64);

struct CheckedCsr {
    X509ReqPtr request;
    EvpPkeyPtr public_key;  // the requested subject key (own reference)
    // The key as the request encodes it (borrowed from `request`).
    const X509_PUBKEY* public_key_info() const { return X509_REQ_get_X509_PUBKEY(request.get()); }
};

// Parse, apply the key policy, verify the self-signature.
CheckedCsr parse_and_check_csr(ByteView pem_der_or_base64);

// Key policy + self-signature of an already parsed request; returns its key.
EvpPkeyPtr check_csr(X509_REQ* request);

struct SpkacKey {
    EvpPkeyPtr public_key;
    std::string challenge;
};

// Base64 SPKAC as a browser posts it (whitespace ignored; an "SPKAC=" prefix as in
// `openssl spkac` output is accepted). Verifies the signature and the key policy.
SpkacKey parse_and_check_spkac(std::string_view base64);

}  // namespace inkan::pki
