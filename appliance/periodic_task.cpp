#include "appliance/periodic_task.h"

#include "common/log.h"

namespace inkan::appliance {

PeriodicTask::PeriodicTask(std::string name, std::chrono::seconds interval,
                           std::function<void()> run)
    : name_(std::move(name)), interval_(interval), run_(std::move(run)) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
        woken_ = true;
    }
    thread_ = std::thread([this] { loop(); });
}

void PeriodicTask::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool PeriodicTask::stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void PeriodicTask::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void PeriodicTask::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
        if (stopping_) return;
        woken_ = false;
        lock.unlock();
        try {
            run_();
        } catch (const std::exception& e) {
            log::error(name_ + " failed",
                       {{"task", name_}, {"retry_in_s", interval_.count()}, {"cause", e.what()}});
        }
        lock.lock();
    }
}

}  // namespace inkan::appliance
