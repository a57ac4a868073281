// A fixed set of logged-in PKCS#11 sessions on one slot, one operation per
// session at a time. acquire() lends a session (blocking while all are busy); the
// lease gives it back when it goes out of scope. One extra "anchor" session is
// never lent: it keeps the login alive for the process lifetime (closing the
// last session of a slot logs the user out).
//
// Token faults (README "HSM faults"): when the token is found gone (mark_lost),
// the pool lends no session and acquire() throws Error(HsmUnavailable,
// "hsm_unavailable") with a Retry-After. A later acquire() or health() that
// finds a reconnection attempt due makes it: wait until every lease came back,
// close every session, run the Reconnect step (re-initialise the module, find
// the slot again), open the anchor, log in, open the sessions. A failed attempt
// waits twice as long before the next (1 s, 2 s, 4 s ... at most 30 s). Every
// successful reconnection bumps generation(): object handles found before it
// are not used any more (hsm/keys.h).
#pragma once

#include <p11-kit/pkcs11.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/secret.h"

namespace inkan::hsm {

// A session handle plus the function list to call on it. Borrowed, never owned.
struct Session {
    CK_FUNCTION_LIST* fn = nullptr;
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
};

class SessionPool;

// A snapshot of the pool for monitoring (README "Metrics"): plain numbers, so
// that nothing outside hsm/ sees a PKCS#11 type.
struct PoolStats {
    size_t size = 0;        // sessions that can be lent
    size_t in_use = 0;      // lent right now
    uint64_t errors = 0;    // PKCS#11 errors of operations on lent sessions (Token::with_session)
    uint64_t reopened = 0;  // sessions found lost and opened again
};

// Exclusive use of one pooled session until destruction. Move-only.
class SessionLease {
  public:
    SessionLease(SessionLease&& other) noexcept;
    SessionLease& operator=(SessionLease&&) = delete;
    SessionLease(const SessionLease&) = delete;
    SessionLease& operator=(const SessionLease&) = delete;
    ~SessionLease();

    Session session() const noexcept;
    // Closes this session (ignoring errors), opens a new one and logs in again
    // (also re-opening the anchor session if it was lost). Throws CkError.
    void reopen();

  private:
    friend class SessionPool;
    SessionLease(SessionPool* pool, size_t index) noexcept : pool_(pool), index_(index) {}
    SessionPool* pool_;
    size_t index_;
};

enum class HsmState { Ok, Unavailable };

struct HsmHealth {
    HsmState state = HsmState::Ok;
    std::string reason;           // why it is unavailable (CK_RV names, no secrets)
    int retry_after_seconds = 0;  // until the next reconnection attempt (unavailable)
    uint64_t reconnections = 0;   // successful reconnections since start
};

class SessionPool {
  public:
    // Re-initialises the module and returns the token's slot again (slot ids may
    // change); throws when the token is still missing. Called only while no
    // session of the pool is in use.
    using Reconnect = std::function<CK_SLOT_ID()>;

    // Opens the anchor session, logs in as CKU_USER with `pin` (a second login's
    // CKR_USER_ALREADY_LOGGED_IN counts as success), then opens `size` read/write
    // sessions. A wrong PIN throws CkError code "hsm_pin_incorrect" (Forbidden)
    // after exactly one C_Login attempt. Without `reconnect` a reconnection only
    // re-opens sessions on the same slot.
    SessionPool(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, SecretString pin, size_t size,
                Reconnect reconnect = {});
    ~SessionPool();
    SessionPool(const SessionPool&) = delete;
    SessionPool& operator=(const SessionPool&) = delete;

    // A session; throws Error(HsmUnavailable, "hsm_unavailable") while the token
    // is lost (after trying to reconnect, if an attempt is due).
    SessionLease acquire();
    size_t size() const noexcept { return sessions_.size(); }
    CK_SLOT_ID slot() const noexcept { return slot_.load(); }
    // Bumped by every successful reconnection (starts at 0).
    uint64_t generation() const noexcept { return generation_.load(); }

    // The token is gone (a CK_RV said so, or a key that was there is not found):
    // stop lending sessions until a reconnection succeeds. The first attempt is due
    // at once. Quiet; `reason` names what was seen.
    void mark_lost(const std::string& reason) noexcept;
    // C_GetTokenInfo on the slot answers CKR_OK. Never called during a reconnection.
    bool token_present();
    // The state now. probe: check a healthy token (token_present) and, when lost,
    // make a reconnection attempt if one is due (readiness checks).
    HsmHealth health(bool probe);
    // The Error acquire() throws while lost (code "hsm_unavailable", Retry-After).
    Error unavailable_error();
    PoolStats stats() const;
    void count_error() noexcept { errors_.fetch_add(1, std::memory_order_relaxed); }

  private:
    using Clock = std::chrono::steady_clock;
    friend class SessionLease;
    void release(size_t index) noexcept;
    void reopen(size_t index);
    CK_SESSION_HANDLE open_session();
    void login(CK_SESSION_HANDLE session);
    void ensure_anchor();
    void close_quietly(CK_SESSION_HANDLE session) noexcept;
    // With free_mutex_ held: a reconnection attempt if the token is lost, due and
    // nobody else is making one. Returns with free_mutex_ held.
    void reconnect_if_due(std::unique_lock<std::mutex>& lock);
    void reconnect_sessions();  // close all, Reconnect, anchor + login + sessions
    int retry_after_locked() const;
    Error unavailable_error_locked() const;

    CK_FUNCTION_LIST* fn_;
    std::atomic<CK_SLOT_ID> slot_;
    SecretString pin_;
    Reconnect reconnect_;
    // Shared by probes, exclusive while a reconnection re-initialises the module.
    std::shared_mutex module_mutex_;
    std::mutex anchor_mutex_;
    CK_SESSION_HANDLE anchor_ = CK_INVALID_HANDLE;
    std::vector<CK_SESSION_HANDLE> sessions_;  // sessions_[i] is touched only by its lease holder
    mutable std::mutex free_mutex_;
    std::condition_variable free_changed_;
    std::vector<size_t> free_;
    // Guarded by free_mutex_:
    bool lost_ = false;
    bool reconnecting_ = false;
    std::string lost_reason_;
    Clock::time_point next_attempt_{};
    std::chrono::seconds backoff_{1};
    uint64_t reconnections_ = 0;
    std::atomic<uint64_t> generation_{0};
    std::atomic<uint64_t> errors_{0};
    std::atomic<uint64_t> reopened_{0};
};

}  // namespace inkan::hsm
