// Key objects on a token: a borrowed handle (token + CK_OBJECT_HANDLE) that does
// not own the object (destroy() is an explicit call), and look-ups by CKA_ID
// (primary: labels may repeat) or label.
#pragma once

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>

#include "common/bytes.h"
#include "hsm/token.h"

namespace inkan::hsm {

class KeyObject {
  public:
    // A handle found now (in the token's current generation).
    KeyObject(Token& token, CK_OBJECT_HANDLE handle) noexcept
        : KeyObject(token, handle, token.generation()) {}
    // A handle found in `generation` (hsm/session_pool.h: a reconnection makes
    // every earlier handle stale, whatever object it now names).
    KeyObject(Token& token, CK_OBJECT_HANDLE handle, uint64_t generation) noexcept
        : token_(&token), handle_(handle), generation_(generation) {}

    Token& token() const noexcept { return *token_; }
    // The handle; throws Error(HsmUnavailable, "hsm_key_stale") if the token was
    // reconnected since it was found (the handle may name another object now).
    CK_OBJECT_HANDLE handle() const;

    // One attribute's value. A sensitive value (CKA_PRIVATE_EXPONENT, a secret
    // key's CKA_VALUE) throws Error code "hsm_attribute_sensitive".
    Bytes attribute(CK_ATTRIBUTE_TYPE type) const;
    // A CK_BBOOL attribute; nullopt if the object has none.
    std::optional<bool> flag(CK_ATTRIBUTE_TYPE type) const;
    CK_OBJECT_CLASS object_class() const;
    CK_KEY_TYPE key_type() const;
    Bytes id() const;
    std::string label() const;

    // C_DestroyObject. The handle is invalid afterwards.
    void destroy();

  private:
    Token* token_;
    CK_OBJECT_HANDLE handle_;
    uint64_t generation_;
};

// How to find a key: by CKA_ID when `id` is non-empty (and also by label when
// both are set), else by label.
struct KeyLookup {
    Bytes id;
    std::string label;
};

// The one key of that class matching `lookup`; nullopt if none. Throws
// Error(Conflict, "hsm_key_ambiguous") if several match.
std::optional<KeyObject> find_key(Token& token, CK_OBJECT_CLASS object_class,
                                  const KeyLookup& lookup);

// As find_key, but throws Error(NotFound, "hsm_key_not_found") if none.
KeyObject find_private_key(Token& token, const KeyLookup& lookup);
KeyObject find_public_key(Token& token, const KeyLookup& lookup);
KeyObject find_secret_key(Token& token, const KeyLookup& lookup);

// A token key named by class and CKA_ID, for long-lived users (the CA signer,
// the PIN key). Object handles stay valid while the pool's anchor session lives;
// if every session of the slot was lost (device reset, token re-inserted) the
// token forgets them (CKR_OBJECT_HANDLE_INVALID). use() then finds the key again
// by CKA_ID and retries once; after the pool reconnected (a new generation) it
// finds the key again before using it. A key that was found once and is not
// found again means the token is lost (Token::key_vanished: 503
// hsm_unavailable), never hsm_key_not_found. Thread-safe.
class StableKey {
  public:
    // Finds the key now; throws Error(NotFound, "hsm_key_not_found").
    StableKey(Token& token, CK_OBJECT_CLASS object_class, Bytes id);
    StableKey(const StableKey&) = delete;
    StableKey& operator=(const StableKey&) = delete;

    // The key as last found (its handle() throws hsm_key_stale after a reconnection).
    KeyObject key() const;
    const Bytes& id() const noexcept { return id_; }

    // Runs op(KeyObject); on CKR_OBJECT_HANDLE_INVALID / CKR_KEY_HANDLE_INVALID
    // finds the key again and runs op once more.
    template <typename Op>
    auto use(Op&& op) const -> std::invoke_result_t<Op&, const KeyObject&> {
        try {
            return op(current());
        } catch (const CkError& e) {
            if (e.rv() != CKR_OBJECT_HANDLE_INVALID && e.rv() != CKR_KEY_HANDLE_INVALID) throw;
        }
        refind();
        return op(key());
    }

  private:
    KeyObject current() const;  // key(), found again first if the token reconnected
    void refind() const;

    Token* token_;
    CK_OBJECT_CLASS class_;
    Bytes id_;
    mutable std::mutex mutex_;
    mutable CK_OBJECT_HANDLE handle_;
    mutable uint64_t generation_;
};

// A fresh random 16-byte CKA_ID from the token's C_GenerateRandom.
Bytes random_key_id(Token& token);

}  // namespace inkan::hsm
