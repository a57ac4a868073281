#include "bench/support/raw_sign.h"

#include "hsm/operations.h"

namespace inkan::bench {

double raw_sign_rate(const hsm::KeyObject& key, bool rsa, size_t signatures, size_t threads) {
    Bytes digest = hsm::digest(hsm::DigestAlgorithm::Sha256, as_bytes("raw_sign_rate"));
    double s = run_parallel(signatures, threads, [&](size_t) {
        if (rsa) {
            hsm::sign_rsa_pkcs1_sha256(key, digest);
        } else {
            hsm::sign(key, CKM_ECDSA, digest);
        }
    });
    return static_cast<double>(signatures) / s;
}

}  // namespace inkan::bench
