// What certificate, CRL, OCSP and CMS building needs from a private key.
// pki never sees PKCS#11: the HSM-backed signer lives in ca/hsm_signer.h, a
// software signer for tests in pki/software_signer.h.
#pragma once

#include <openssl/evp.h>

#include "common/bytes.h"

namespace inkan::pki {

enum class SignatureAlgorithm {
    RsaPkcs1Sha256,  // sha256WithRSAEncryption, AlgorithmIdentifier parameters NULL
    EcdsaSha256,     // ecdsa-with-SHA256, parameters absent
    EcdsaSha384,     // ecdsa-with-SHA384, parameters absent
};

class Signer {
  public:
    virtual ~Signer() = default;

    // The public half of the signing key (owned by the signer).
    virtual EVP_PKEY* public_key() const = 0;
    virtual SignatureAlgorithm algorithm() const = 0;

    // Signs `message` (the DER to-be-signed bytes, not a digest) and returns the
    // signature exactly as it goes into an X.509 BIT STRING: PKCS#1 v1.5 bytes
    // for RSA, a DER Ecdsa-Sig-Value for ECDSA.
    virtual Bytes sign(ByteView message) = 0;
};

// Cryptographically strong random bytes (the HSM's C_GenerateRandom in production).
class RandomSource {
  public:
    virtual ~RandomSource() = default;
    virtual Bytes random(size_t n) = 0;
};

}  // namespace inkan::pki
