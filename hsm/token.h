// One logged-in token: the loaded module, the slot found by token label (slot ids
// change between process starts) or serial, and a pool of sessions. Operations
// run through with_session(), which lends a session and, when the session turns
// out to be lost (CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED,
// CKR_DEVICE_ERROR, CKR_USER_NOT_LOGGED_IN, CKR_OPERATION_ACTIVE), re-opens it, logs in again and
// retries the operation once.
//
// A lost token (a CK_RV that says so, or a failed call while C_GetTokenInfo no
// longer answers, or a key that was there not found) makes the pool unavailable:
// every operation throws Error(HsmUnavailable, "hsm_unavailable") with a
// Retry-After until a reconnection (module re-initialised, slot found again,
// login, sessions) succeeds; see hsm/session_pool.h.
#pragma once

#include <p11-kit/pkcs11.h>

#include <cstddef>
#include <string>
#include <type_traits>

#include "common/secret.h"
#include "hsm/ck_error.h"
#include "hsm/module.h"
#include "hsm/session_pool.h"

namespace inkan::hsm {

struct TokenConfig {
    std::string module_path;   // e.g. /usr/lib/softhsm/libsofthsm2.so
    std::string token_label;   // matched exactly (after trimming the padding)
    std::string token_serial;  // optional; when set it must match too (or alone)
    SecretString pin;          // user PIN
    size_t pool_size = 0;      // 0 = number of cores; at least 2
};

// The pool size a config asks for: pool_size, or the number of cores; at least 2.
size_t effective_pool_size(size_t requested) noexcept;

// The slot holding the token with that label and/or serial (at least one must be
// non-empty). Throws Error(HsmUnavailable, "hsm_token_not_found").
CK_SLOT_ID find_token_slot(const Module& module, const std::string& label,
                           const std::string& serial);

class Token {
  public:
    // Loads the module, finds the token, logs in (one C_Login attempt). Throws
    // Error: hsm_module_load_failed / hsm_token_not_found (HsmUnavailable),
    // hsm_pin_incorrect (Forbidden), hsm_pin_locked (Locked), other CkErrors.
    explicit Token(const TokenConfig& config);
    Token(const Token&) = delete;
    Token& operator=(const Token&) = delete;

    CK_FUNCTION_LIST* functions() const noexcept { return module_.functions(); }
    const Module& module() const noexcept { return module_; }
    CK_SLOT_ID slot_id() const noexcept { return pool_.slot(); }
    const std::string& label() const noexcept { return label_; }
    const std::string& serial() const noexcept { return serial_; }
    size_t pool_size() const noexcept { return pool_.size(); }

    // Exclusive use of one session (blocks while all are busy). For callers that
    // need several calls on one session; most code should use with_session().
    SessionLease lease() { return pool_.acquire(); }

    // Runs op(Session) on a lent session; re-opens the session and retries once
    // if it was lost. op must be safe to run twice, and must not call
    // with_session()/lease() itself (it would wait for a second session and can
    // deadlock a busy pool): use the Session it is given.
    template <typename Op>
    auto with_session(Op&& op) -> std::invoke_result_t<Op&, const Session&> {
        SessionLease lease = pool_.acquire();
        try {
            return op(lease.session());
        } catch (const CkError& e) {
            pool_.count_error();
            if (!after_failure(e, true)) throw;
        }
        try {
            lease.reopen();
            return op(lease.session());
        } catch (const CkError& e) {
            pool_.count_error();
            after_failure(e, false);
            throw;
        }
    }

    // Health of the token (hsm/session_pool.h); probe: check it now and try to
    // reconnect when an attempt is due.
    HsmHealth health(bool probe) { return pool_.health(probe); }
    // Bumped by every reconnection: handles found before are stale (hsm/keys.h).
    uint64_t generation() const noexcept { return pool_.generation(); }
    // A key that was found before is not there any more: the token is treated as
    // lost. Throws Error(HsmUnavailable, "hsm_unavailable").
    [[noreturn]] void key_vanished(const std::string& what);

    // The session pool's numbers (monitoring).
    PoolStats pool_stats() const { return pool_.stats(); }

  private:
    // After a failed PKCS#11 call: throws Error(HsmUnavailable, "hsm_unavailable")
    // if the token is gone (marking the pool lost); true if the session was lost
    // and `first` (re-open and retry); false otherwise (rethrow the CkError).
    bool after_failure(const CkError& e, bool first);
    CK_SLOT_ID reconnect();

    Module module_;  // declared first: destroyed after the pool closed its sessions
    std::string wanted_label_;
    std::string wanted_serial_;
    std::string label_;
    std::string serial_;
    SessionPool pool_;
};

}  // namespace inkan::hsm
