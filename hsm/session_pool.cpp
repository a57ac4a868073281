#include "hsm/session_pool.h"

#include "hsm/ck_error.h"

namespace inkan::hsm {

SessionLease::SessionLease(SessionLease&& other) noexcept
    : pool_(other.pool_), index_(other.index_) {
    other.pool_ = nullptr;
}

SessionLease::~SessionLease() {
    if (pool_ != nullptr) pool_->release(index_);
}

Session SessionLease::session() const noexcept { return {pool_->fn_, pool_->sessions_[index_]}; }

void SessionLease::reopen() { pool_->reopen(index_); }

SessionPool::SessionPool(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, SecretString pin, size_t size)
    : fn_(fn), slot_(slot), pin_(std::move(pin)) {
    try {
        anchor_ = open_session();
        login(anchor_);
        sessions_.reserve(size);
        for (size_t i = 0; i < size; ++i) {
            sessions_.push_back(open_session());
            free_.push_back(i);
        }
    } catch (...) {
        for (CK_SESSION_HANDLE s : sessions_) close_quietly(s);
        close_quietly(anchor_);
        throw;
    }
}

SessionPool::~SessionPool() {
    for (CK_SESSION_HANDLE s : sessions_) close_quietly(s);
    close_quietly(anchor_);
}

SessionLease SessionPool::acquire() {
    std::unique_lock lock(free_mutex_);
    free_changed_.wait(lock, [this] { return !free_.empty(); });
    size_t index = free_.back();
    free_.pop_back();
    return SessionLease(this, index);
}

void SessionPool::release(size_t index) noexcept {
    {
        std::lock_guard lock(free_mutex_);
        free_.push_back(index);
    }
    free_changed_.notify_one();
}

PoolStats SessionPool::stats() const {
    PoolStats s;
    s.size = sessions_.size();
    {
        std::lock_guard lock(free_mutex_);
        s.in_use = s.size - free_.size();
    }
    s.errors = errors_.load(std::memory_order_relaxed);
    s.reopened = reopened_.load(std::memory_order_relaxed);
    return s;
}

void SessionPool::reopen(size_t index) {
    reopened_.fetch_add(1, std::memory_order_relaxed);
    // Close the old session only if it still exists (CKR_DEVICE_ERROR case): a
    // handle that is already gone may be reused by the module for another session.
    CK_SESSION_INFO info{};
    if (fn_->C_GetSessionInfo(sessions_[index], &info) == CKR_OK) close_quietly(sessions_[index]);
    sessions_[index] = CK_INVALID_HANDLE;
    ensure_anchor();
    sessions_[index] = open_session();
    login(sessions_[index]);
}

CK_SESSION_HANDLE SessionPool::open_session() {
    CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
    check_rv(
        fn_->C_OpenSession(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session),
        "C_OpenSession");
    return session;
}

void SessionPool::login(CK_SESSION_HANDLE session) {
    auto* pin = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin_.str().data()));
    CK_RV rv = fn_->C_Login(session, CKU_USER, pin, pin_.size());
    if (rv == CKR_USER_ALREADY_LOGGED_IN) return;
    check_rv(rv, "C_Login");
}

// The anchor keeps the login; if it was closed behind our back, open a new one.
void SessionPool::ensure_anchor() {
    std::lock_guard lock(anchor_mutex_);
    CK_SESSION_INFO info{};
    if (anchor_ != CK_INVALID_HANDLE && fn_->C_GetSessionInfo(anchor_, &info) == CKR_OK) return;
    anchor_ = CK_INVALID_HANDLE;
    anchor_ = open_session();
    login(anchor_);
}

void SessionPool::close_quietly(CK_SESSION_HANDLE session) noexcept {
    if (session != CK_INVALID_HANDLE) fn_->C_CloseSession(session);
}

}  // namespace inkan::hsm
