// A subscriber key made inside the HSM for keys that must leave it exactly once
// (the PKCS#12 subscriber key): an extractable, not sensitive private key and,
// for a pair made on demand, its public key object. The owner destroys every
// object it holds: after reading the private key out (export_and_destroy), or in
// its destructor if that never happens. A pool member (hsm/key_pool.h) is the
// private key alone: the public half is computed from it at export.
#pragma once

#include <optional>

#include "common/openssl_ptr.h"
#include "hsm/key_generation.h"

namespace inkan::hsm {

class SessionKeyPair {
  public:
    // `public_key`: nullopt when the token holds the private key only.
    SessionKeyPair(Token& token, KeyAlgorithm algorithm, KeyObject private_key,
                   std::optional<KeyObject> public_key, Bytes id) noexcept;
    SessionKeyPair(SessionKeyPair&& other) noexcept;
    SessionKeyPair& operator=(SessionKeyPair&&) = delete;
    SessionKeyPair(const SessionKeyPair&) = delete;
    SessionKeyPair& operator=(const SessionKeyPair&) = delete;
    ~SessionKeyPair();  // destroys the objects if still there; quiet

    KeyAlgorithm algorithm() const noexcept { return algorithm_; }
    const Bytes& id() const noexcept { return id_; }  // random 16-byte CKA_ID
    bool exported() const noexcept { return !private_key_; }
    // Valid until export_and_destroy(); both throw Error(Gone,
    // "hsm_session_key_consumed") after. public_key() is null when the pair has
    // no public key object.
    const KeyObject& private_key() const;
    const KeyObject* public_key() const;

    // Reads the private key into an OpenSSL EVP_PKEY (RSA: n, e, d, p, q, dp, dq,
    // qinv; EC: group, private scalar and the public point computed from it),
    // then destroys the objects. Callable once; the objects are destroyed even if
    // reading fails.
    EvpPkeyPtr export_and_destroy();

  private:
    void destroy_quietly() noexcept;

    Token* token_;
    KeyAlgorithm algorithm_;
    std::optional<KeyObject> private_key_;
    std::optional<KeyObject> public_key_;
    Bytes id_;
};

// Generates the pair (RSA-2048/3072/4096 or EC P-256/P-384) as session objects
// with a random CKA_ID and label "inkan-session-key". The private key can sign;
// nothing else is allowed.
SessionKeyPair generate_session_key_pair(Token& token, KeyAlgorithm algorithm);

// generate_session_key_pair + export_and_destroy in one call.
EvpPkeyPtr generate_exported_key(Token& token, KeyAlgorithm algorithm);

}  // namespace inkan::hsm
