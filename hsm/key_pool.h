// A bounded pool of subscriber keys made in the HSM ahead of time (issue 12):
// RSA key generation is ~100× slower than a signature, so a P12 job that takes
// its keys from a warm pool is bound by signing and P12 building. A pool member
// is ONE token object, the private key (it survives a restart), private,
// labelled "inkan-pool-key <alg>", extractable and not sensitive (it leaves the
// HSM exactly once, into its P12) and usable for nothing (sign, decrypt, ...
// false) while it waits. Its public key is made as a session object and
// destroyed at once: SoftHSM's file backend rescans the whole token directory
// on every C_DestroyObject, so each token object a take destroys costs a scan
// of every pool file. A taken member is owned by a SessionKeyPair, which
// computes the public half at export and destroys the object, as for a key
// made on demand. Pairs an earlier version kept (a public token object beside
// the private one) are taken too, and both objects destroyed.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "hsm/key_generation.h"
#include "hsm/session_key.h"

namespace inkan::hsm {

inline constexpr const char* kPoolKeyLabel = "inkan-pool-key";

class KeyPool {
  public:
    // `target`: how many keys of `algorithm` fill_one() keeps ready.
    KeyPool(Token& token, KeyAlgorithm algorithm, size_t target);

    // A pool member, or nullopt when the pool is empty. Thread-safe: a member
    // is handed out once.
    std::optional<SessionKeyPair> take();
    // Makes one member if fewer than target are ready; false if it was full.
    // (available() counts what this pool found at its first use and made since;
    // a new KeyPool searches the token afresh.)
    bool fill_one();
    // Members ready to be taken (of this pool's algorithm).
    size_t available();
    size_t target() const noexcept { return target_; }
    KeyAlgorithm algorithm() const noexcept { return algorithm_; }

  private:
    // The CKA_IDs of the pool's private keys in the token now.
    std::vector<Bytes> pool_ids();
    // Loads ready_ from the token once (members made before a restart). Under mutex_.
    void load_once();

    // A pool member ready to be taken: its CKA_ID and, when this process made
    // it, the private key handle generate_key_pair returned. A search
    // (C_FindObjects) reads every token object in SoftHSM, so with a few hundred
    // pool members a take that searched cost more than the signature and the
    // P12 together.
    struct ReadyKey {
        Bytes id;
        std::optional<KeyObject> made;
    };
    // The member behind `ready`: its kept handle if that still names an object
    // with its CKA_ID (same token generation, not destroyed by another
    // process), else the private key found again by CKA_ID and label, with the
    // public token object an earlier version kept beside it if there is one;
    // nullopt if it is gone.
    std::optional<SessionKeyPair> locate(ReadyKey ready);

    Token& token_;
    KeyAlgorithm algorithm_;
    size_t target_;
    std::mutex mutex_;
    bool loaded_ = false;
    // The members ready to be taken: searched in the token once, then kept here
    // (a search per take would read every pool object each time).
    std::deque<ReadyKey> ready_;
};

// Pool members in the token by algorithm name ("rsa-2048", ...), for `inkan hsm status`.
std::vector<std::pair<std::string, size_t>> count_pool_keys(Token& token);

}  // namespace inkan::hsm
