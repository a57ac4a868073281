// A Signer over an in-process EVP_PKEY: for tests and the non-HSM unit tier.
// Production signatures come from the HSM signer (ca/hsm_signer.h).
#pragma once

#include "common/openssl_ptr.h"
#include "pki/signer.h"

namespace inkan::pki {

enum class KeyType { EcP256, EcP384, Rsa2048, Rsa3072, Rsa4096 };

// A fresh key pair of the given type (throws Error(Internal) on failure).
EvpPkeyPtr generate_key(KeyType type);

// A copy holding only the public half of `key`.
EvpPkeyPtr public_key_copy(const EVP_PKEY* key);

// The signature algorithm used with a key: RSA -> RsaPkcs1Sha256, P-256 -> EcdsaSha256,
// P-384 -> EcdsaSha384. Throws Error(Unsupported, "signer_key_unsupported") otherwise.
SignatureAlgorithm signature_algorithm_for(const EVP_PKEY* key);

class SoftwareSigner : public Signer {
  public:
    explicit SoftwareSigner(EvpPkeyPtr private_key);
    static SoftwareSigner generate(KeyType type) { return SoftwareSigner(generate_key(type)); }

    EVP_PKEY* public_key() const override { return public_key_.get(); }
    SignatureAlgorithm algorithm() const override { return algorithm_; }
    Bytes sign(ByteView message) override;

    // The private key (tests put it into PKCS#12 files and TLS servers).
    EVP_PKEY* private_key() const { return private_key_.get(); }

  private:
    EvpPkeyPtr private_key_;
    EvpPkeyPtr public_key_;
    SignatureAlgorithm algorithm_;
};

// RandomSource over OpenSSL's RAND_bytes (the HSM's C_GenerateRandom in production).
class OpenSslRandomSource : public RandomSource {
  public:
    Bytes random(size_t n) override;
};

}  // namespace inkan::pki
