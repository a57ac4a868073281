#include "ca/hsm_signer.h"

#include "common/error.h"
#include "hsm/operations.h"
#include "hsm/public_key.h"
#include "pki/software_signer.h"

namespace inkan::ca {

HsmSigner::HsmSigner(hsm::Token& token, const hsm::KeyLookup& key)
    : key_(token, CKO_PRIVATE_KEY, hsm::find_private_key(token, key).id()),
      public_key_(hsm::export_public_key(key_.key())),
      algorithm_(pki::signature_algorithm_for(public_key_.get())) {}

Bytes HsmSigner::sign(ByteView message) {
    switch (algorithm_) {
        case pki::SignatureAlgorithm::RsaPkcs1Sha256:
            return key_.use(
                [&](const hsm::KeyObject& k) { return hsm::sign_rsa_pkcs1_sha256(k, message); });
        case pki::SignatureAlgorithm::EcdsaSha256:
            return key_.use([&](const hsm::KeyObject& k) {
                return hsm::sign_ecdsa(k, hsm::DigestAlgorithm::Sha256, message);
            });
        case pki::SignatureAlgorithm::EcdsaSha384:
            return key_.use([&](const hsm::KeyObject& k) {
                return hsm::sign_ecdsa(k, hsm::DigestAlgorithm::Sha384, message);
            });
    }
    throw Error(ErrorCategory::Internal, "signer_algorithm_unknown", "unknown signature algorithm");
}

Bytes HsmRandom::random(size_t n) { return hsm::generate_random(token_, n); }

}  // namespace inkan::ca
