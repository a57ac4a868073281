// A task of `inkan serve` that runs every `interval` on its own thread until
// stop(): the CRL refresh, the mail sender. A failing run is logged with the
// task's name and tried again at the next tick.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace inkan::appliance {

class PeriodicTask {
  public:
    PeriodicTask(std::string name, std::chrono::seconds interval, std::function<void()> run);
    ~PeriodicTask();
    PeriodicTask(const PeriodicTask&) = delete;
    PeriodicTask& operator=(const PeriodicTask&) = delete;

    void start();  // the first run happens at once, on the thread
    void stop();   // waits for a run in progress
    void wake();   // run now (e.g. new mails were queued)
    // True once stop() was called: a run that loops checks it between steps.
    bool stopping();

  private:
    void loop();
    std::string name_;
    std::chrono::seconds interval_;
    std::function<void()> run_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool woken_ = true;
    std::thread thread_;
};

}  // namespace inkan::appliance
