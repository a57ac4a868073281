// A fixed set of logged-in PKCS#11 sessions on one slot, one operation per
// session at a time. acquire() lends a session (blocking while all are busy); the
// lease gives it back when it goes out of scope. One extra "anchor" session is
// never lent: it keeps the login alive for the process lifetime (closing the
// last session of a slot logs the user out).
#pragma once

#include <p11-kit/pkcs11.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

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

class SessionPool {
  public:
    // Opens the anchor session, logs in as CKU_USER with `pin` (a second login's
    // CKR_USER_ALREADY_LOGGED_IN counts as success), then opens `size` read/write
    // sessions. A wrong PIN throws CkError code "hsm_pin_incorrect" (Forbidden)
    // after exactly one C_Login attempt.
    SessionPool(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, SecretString pin, size_t size);
    ~SessionPool();
    SessionPool(const SessionPool&) = delete;
    SessionPool& operator=(const SessionPool&) = delete;

    SessionLease acquire();
    size_t size() const noexcept { return sessions_.size(); }
    PoolStats stats() const;
    void count_error() noexcept { errors_.fetch_add(1, std::memory_order_relaxed); }

  private:
    friend class SessionLease;
    void release(size_t index) noexcept;
    void reopen(size_t index);
    CK_SESSION_HANDLE open_session();
    void login(CK_SESSION_HANDLE session);
    void ensure_anchor();
    void close_quietly(CK_SESSION_HANDLE session) noexcept;

    CK_FUNCTION_LIST* fn_;
    CK_SLOT_ID slot_;
    SecretString pin_;
    std::mutex anchor_mutex_;
    CK_SESSION_HANDLE anchor_ = CK_INVALID_HANDLE;
    std::vector<CK_SESSION_HANDLE> sessions_;  // sessions_[i] is touched only by its lease holder
    mutable std::mutex free_mutex_;
    std::condition_variable free_changed_;
    std::vector<size_t> free_;
    std::atomic<uint64_t> errors_{0};
    std::atomic<uint64_t> reopened_{0};
};

}  // namespace inkan::hsm
