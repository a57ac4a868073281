// pki::Signer and pki::RandomSource backed by a key and the RNG in the HSM.
// The only place where certificate signing meets PKCS#11.
#pragma once

#include "common/openssl_ptr.h"
#include "hsm/keys.h"
#include "hsm/token.h"
#include "pki/signer.h"

namespace inkan::ca {

class HsmSigner final : public pki::Signer {
  public:
    // Finds the private key (by CKA_ID, else label) and exports its public half.
    // The key is then held by CKA_ID, so a token that lost all sessions still works.
    // Throws Error(NotFound, "hsm_key_not_found") when the key is missing.
    HsmSigner(hsm::Token& token, const hsm::KeyLookup& key);

    EVP_PKEY* public_key() const override { return public_key_.get(); }
    pki::SignatureAlgorithm algorithm() const override { return algorithm_; }
    Bytes sign(ByteView message) override;

  private:
    hsm::StableKey key_;  // re-found by CKA_ID if every session was lost
    EvpPkeyPtr public_key_;
    pki::SignatureAlgorithm algorithm_;
};

class HsmRandom final : public pki::RandomSource {
  public:
    explicit HsmRandom(hsm::Token& token) : token_(token) {}
    Bytes random(size_t n) override;

  private:
    hsm::Token& token_;
};

}  // namespace inkan::ca
