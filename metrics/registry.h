// The appliance's metrics (README "Metrics"): prometheus-cpp's registry (Debian
// prometheus-cpp-dev, core library only) and its text serializer; GET /metrics
// on the loopback admin listener serves exposition(). Counters and histograms
// are updated where things happen; gauges that mirror another part's state
// (HSM pool, outbox) are refreshed by the callbacks given to on_scrape, just
// before each exposition. A leaf folder: it knows nothing of HTTP, the HSM or
// the store.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace inkan::metrics {

class Registry {
  public:
    Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    prometheus::Family<prometheus::Counter>& counter(const std::string& name,
                                                     const std::string& help);
    prometheus::Family<prometheus::Gauge>& gauge(const std::string& name, const std::string& help);
    prometheus::Family<prometheus::Histogram>& histogram(const std::string& name,
                                                         const std::string& help);

    // refresh runs before every exposition (a throwing one is skipped: the
    // exposition still answers).
    void on_scrape(std::function<void()> refresh);

    // Prometheus text exposition format 0.0.4.
    std::string exposition();

  private:
    std::shared_ptr<prometheus::Registry> registry_;
    std::mutex refresh_mutex_;
    std::vector<std::function<void()>> refreshers_;
};

// Seconds: 5 ms … 60 s (a bulk ZIP of many RSA keys takes long).
const prometheus::Histogram::BucketBoundaries& latency_buckets();

}  // namespace inkan::metrics
