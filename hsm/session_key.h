// A key pair generated inside the HSM as SESSION objects (CKA_TOKEN=false),
// extractable and not sensitive, for keys that must leave the HSM exactly once
// (the PKCS#12 subscriber key). The owner destroys both objects: after reading
// the private key out (export_and_destroy), or in its destructor if that never
// happens. Session objects also vanish if the session that made them closes.
#pragma once

#include "common/openssl_ptr.h"
#include "hsm/key_generation.h"

namespace inkan::hsm {

class SessionKeyPair {
  public:
    SessionKeyPair(Token& token, KeyAlgorithm algorithm, KeyPair keys, Bytes id) noexcept;
    SessionKeyPair(SessionKeyPair&& other) noexcept;
    SessionKeyPair& operator=(SessionKeyPair&&) = delete;
    SessionKeyPair(const SessionKeyPair&) = delete;
    SessionKeyPair& operator=(const SessionKeyPair&) = delete;
    ~SessionKeyPair();  // destroys the objects if still there; quiet

    KeyAlgorithm algorithm() const noexcept { return algorithm_; }
    const Bytes& id() const noexcept { return id_; }  // random 16-byte CKA_ID
    bool exported() const noexcept { return !keys_; }
    // Valid until export_and_destroy(); throws Error(Gone, "hsm_session_key_consumed") after.
    const KeyPair& keys() const;

    // Reads the private key into an OpenSSL EVP_PKEY (RSA: n, e, d, p, q, dp, dq,
    // qinv; EC: group, private scalar, public point), then destroys both objects.
    // Callable once; the objects are destroyed even if reading fails.
    EvpPkeyPtr export_and_destroy();

  private:
    void destroy_quietly() noexcept;

    Token* token_;
    KeyAlgorithm algorithm_;
    std::optional<KeyPair> keys_;
    Bytes id_;
};

// Generates the pair (RSA-2048/3072/4096 or EC P-256/P-384) with a random CKA_ID
// and label "inkan-session-key". The private key can sign; nothing else is allowed.
SessionKeyPair generate_session_key_pair(Token& token, KeyAlgorithm algorithm);

// generate_session_key_pair + export_and_destroy in one call.
EvpPkeyPtr generate_exported_key(Token& token, KeyAlgorithm algorithm);

}  // namespace inkan::hsm
