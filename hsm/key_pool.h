// A bounded pool of subscriber key pairs made in the HSM ahead of time (issue
// 12): RSA key generation is ~100× slower than a signature, so a P12 job that
// takes its keys from a warm pool is bound by signing and P12 building. Pool
// members are token objects (they survive a restart), private, labelled
// "inkan-pool-key", extractable and not sensitive (each leaves the HSM exactly
// once, into its P12) and usable for nothing (sign, verify, decrypt, ...
// false) while they wait. A taken pair is owned by a SessionKeyPair, which
// destroys both objects after the export, as for a key made on demand.
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
    // `target`: how many pairs of `algorithm` fill() keeps ready.
    KeyPool(Token& token, KeyAlgorithm algorithm, size_t target);

    // A pool pair, or nullopt when the pool is empty. Thread-safe: a pair is
    // handed out once.
    std::optional<SessionKeyPair> take();
    // Makes one pair if fewer than target are ready; false if it was full.
    // (available() counts what this pool found at its first use and made since;
    // a new KeyPool searches the token afresh.)
    bool fill_one();
    // Pairs ready to be taken (of this pool's algorithm).
    size_t available();
    size_t target() const noexcept { return target_; }
    KeyAlgorithm algorithm() const noexcept { return algorithm_; }

  private:
    // The CKA_IDs of the pool's private keys in the token now.
    std::vector<Bytes> pool_ids();
    // Loads ready_ from the token once (pairs made before a restart). Under mutex_.
    void load_once();

    // A pair ready to be taken: its CKA_ID and, when this process made it, the
    // handles generate_key_pair returned. A search (C_FindObjects) reads every
    // token object in SoftHSM, so with a few hundred pool pairs a take that
    // searched cost more than the signature and the P12 together.
    struct ReadyPair {
        Bytes id;
        std::optional<KeyPair> made;
    };
    // The pair behind `ready`: its kept handles if both still name objects
    // with its CKA_ID (same token generation, not destroyed by another
    // process), else found again by CKA_ID; nullopt if it is gone.
    std::optional<KeyPair> locate(const ReadyPair& ready);

    Token& token_;
    KeyAlgorithm algorithm_;
    size_t target_;
    std::mutex mutex_;
    bool loaded_ = false;
    // The pairs ready to be taken: searched in the token once, then kept here
    // (a search per take would read every pool object each time).
    std::deque<ReadyPair> ready_;
};

// Pool pairs in the token by algorithm name ("rsa-2048", ...), for `inkan hsm status`.
std::vector<std::pair<std::string, size_t>> count_pool_keys(Token& token);

}  // namespace inkan::hsm
