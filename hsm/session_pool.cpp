#include "hsm/session_pool.h"

#include <algorithm>

#include "hsm/ck_error.h"

namespace inkan::hsm {
namespace {

constexpr std::chrono::seconds kMaxBackoff{30};
// How long a reconnection waits for the sessions in use to come back.
constexpr std::chrono::seconds kDrainTimeout{10};

}  // namespace

SessionLease::SessionLease(SessionLease&& other) noexcept
    : pool_(other.pool_), index_(other.index_) {
    other.pool_ = nullptr;
}

SessionLease::~SessionLease() {
    if (pool_ != nullptr) pool_->release(index_);
}

Session SessionLease::session() const noexcept { return {pool_->fn_, pool_->sessions_[index_]}; }

void SessionLease::reopen() { pool_->reopen(index_); }

SessionPool::SessionPool(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, SecretString pin, size_t size,
                         Reconnect reconnect)
    : fn_(fn), slot_(slot), pin_(std::move(pin)), reconnect_(std::move(reconnect)) {
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
    reconnect_if_due(lock);
    if (lost_ || reconnecting_) throw unavailable_error_locked();
    free_changed_.wait(lock, [this] { return !free_.empty() || lost_ || reconnecting_; });
    if (lost_ || reconnecting_) throw unavailable_error_locked();
    size_t index = free_.back();
    free_.pop_back();
    return SessionLease(this, index);
}

void SessionPool::release(size_t index) noexcept {
    {
        std::lock_guard lock(free_mutex_);
        free_.push_back(index);
    }
    // A reconnection waits for all of them; a borrower for one.
    free_changed_.notify_all();
}

void SessionPool::mark_lost(const std::string& reason) noexcept {
    {
        std::lock_guard lock(free_mutex_);
        if (!lost_) {
            lost_ = true;
            lost_reason_ = reason;
            next_attempt_ = Clock::now();  // the first attempt is due at once
        }
    }
    free_changed_.notify_all();
}

bool SessionPool::token_present() {
    std::shared_lock module(module_mutex_);
    CK_TOKEN_INFO info{};
    return fn_->C_GetTokenInfo(slot_.load(), &info) == CKR_OK;
}

HsmHealth SessionPool::health(bool probe) {
    if (probe) {
        bool lost = false;
        {
            std::lock_guard lock(free_mutex_);
            lost = lost_ || reconnecting_;
        }
        if (!lost && !token_present()) mark_lost("C_GetTokenInfo: the token is not present");
    }
    std::unique_lock lock(free_mutex_);
    if (probe) reconnect_if_due(lock);
    HsmHealth h;
    h.state = lost_ || reconnecting_ ? HsmState::Unavailable : HsmState::Ok;
    if (h.state == HsmState::Unavailable) {
        h.reason = lost_reason_;
        h.retry_after_seconds = retry_after_locked();
    }
    h.reconnections = reconnections_;
    return h;
}

Error SessionPool::unavailable_error() {
    std::lock_guard lock(free_mutex_);
    return unavailable_error_locked();
}

Error SessionPool::unavailable_error_locked() const {
    int retry = retry_after_locked();
    return Error(ErrorCategory::HsmUnavailable, "hsm_unavailable",
                 "the HSM is unavailable (" + lost_reason_ +
                     "); nothing was changed. The appliance reconnects by itself: retry in " +
                     std::to_string(retry) +
                     " s. If it lasts, the security officer checks the HSM (README \"HSM "
                     "faults\")",
                 retry);
}

int SessionPool::retry_after_locked() const {
    auto wait = std::chrono::ceil<std::chrono::seconds>(next_attempt_ - Clock::now()).count();
    return static_cast<int>(std::max<long long>(wait, 1));
}

void SessionPool::reconnect_if_due(std::unique_lock<std::mutex>& lock) {
    if (!lost_ || reconnecting_ || Clock::now() < next_attempt_) return;
    reconnecting_ = true;
    free_changed_.notify_all();  // borrowers waiting for a session give up
    bool idle = free_changed_.wait_for(lock, kDrainTimeout,
                                       [this] { return free_.size() == sessions_.size(); });
    std::string failure = "sessions still in use";
    if (idle) {
        lock.unlock();
        try {
            reconnect_sessions();
            failure.clear();
        } catch (const std::exception& e) {
            failure = e.what();
        }
        lock.lock();
    }
    reconnecting_ = false;
    if (failure.empty()) {
        lost_ = false;
        lost_reason_.clear();
        backoff_ = std::chrono::seconds(1);
        ++reconnections_;
        ++generation_;
    } else {
        lost_reason_ = "reconnection failed: " + failure;
        next_attempt_ = Clock::now() + backoff_;
        backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    }
    free_changed_.notify_all();
}

// Every session is free and no borrower can take one (reconnecting_), so no
// other thread calls into the module; probes wait on module_mutex_.
void SessionPool::reconnect_sessions() {
    std::unique_lock module(module_mutex_);
    for (CK_SESSION_HANDLE& s : sessions_) {
        close_quietly(s);
        s = CK_INVALID_HANDLE;
    }
    {
        std::lock_guard anchor(anchor_mutex_);
        close_quietly(anchor_);
        anchor_ = CK_INVALID_HANDLE;
    }
    if (reconnect_) slot_ = reconnect_();
    ensure_anchor();
    for (CK_SESSION_HANDLE& s : sessions_) s = open_session();
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
    check_rv(fn_->C_OpenSession(slot_.load(), CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                &session),
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
