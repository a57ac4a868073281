#include "appliance/monitoring.h"

#include <mutex>

namespace inkan::appliance {
namespace {

// A counter that mirrors a monotonic number kept elsewhere: it is incremented
// by what the source gained since the last scrape.
class MirroredCounter {
  public:
    explicit MirroredCounter(prometheus::Counter& counter) : counter_(counter) {}
    void update(uint64_t source_value) {
        std::lock_guard lock(mutex_);
        if (source_value > seen_) counter_.Increment(static_cast<double>(source_value - seen_));
        seen_ = source_value;
    }

  private:
    prometheus::Counter& counter_;
    std::mutex mutex_;
    uint64_t seen_ = 0;
};

void watch_hsm_pool(metrics::Registry& registry, hsm::Token& token) {
    auto& size =
        registry.gauge("inkan_hsm_pool_sessions", "HSM sessions the pool can lend").Add({});
    auto& in_use =
        registry.gauge("inkan_hsm_pool_sessions_in_use", "HSM sessions lent right now").Add({});
    auto errors = std::make_shared<MirroredCounter>(
        registry
            .counter("inkan_hsm_errors_total", "PKCS#11 errors of operations on pooled sessions")
            .Add({}));
    auto reopened = std::make_shared<MirroredCounter>(
        registry
            .counter("inkan_hsm_sessions_reopened_total",
                     "HSM sessions found lost (device error, logout) and opened again")
            .Add({}));
    registry.on_scrape([&token, &size, &in_use, errors, reopened] {
        hsm::PoolStats s = token.pool_stats();
        size.Set(static_cast<double>(s.size));
        in_use.Set(static_cast<double>(s.in_use));
        errors->update(s.errors);
        reopened->update(s.reopened);
    });
}

void watch_outbox(metrics::Registry& registry, store::OutboxStore& outbox) {
    auto& family = registry.gauge(
        "inkan_outbox_mails",
        "Notification mails in the outbox by state (queued: not yet sent, dead: given up)");
    std::map<store::MailState, prometheus::Gauge*> gauges;
    for (auto state : {store::MailState::Queued, store::MailState::Dead, store::MailState::Sent}) {
        gauges[state] = &family.Add({{"state", store::to_string(state)}});
    }
    registry.on_scrape([&outbox, gauges] {
        auto counts = outbox.counts();
        for (const auto& [state, gauge] : gauges) {
            auto it = counts.find(state);
            gauge->Set(it == counts.end() ? 0.0 : static_cast<double>(it->second));
        }
    });
}

}  // namespace

Monitoring::Monitoring(Services& services) {
    if (services.token) watch_hsm_pool(registry, *services.token);
    if (services.outbox) watch_outbox(registry, *services.outbox);
}

}  // namespace inkan::appliance
