#include "metrics/registry.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace inkan::metrics {

Registry::Registry() : registry_(std::make_shared<prometheus::Registry>()) {}

prometheus::Family<prometheus::Counter>& Registry::counter(const std::string& name,
                                                           const std::string& help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Gauge>& Registry::gauge(const std::string& name,
                                                       const std::string& help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Histogram>& Registry::histogram(const std::string& name,
                                                               const std::string& help) {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
}

void Registry::on_scrape(std::function<void()> refresh) {
    std::lock_guard lock(refresh_mutex_);
    refreshers_.push_back(std::move(refresh));
}

std::string Registry::exposition() {
    {
        std::lock_guard lock(refresh_mutex_);
        for (const auto& refresh : refreshers_) {
            try {
                refresh();
            } catch (...) {  // a stale gauge beats no metrics at all
            }
        }
    }
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, registry_->Collect());
    return out.str();
}

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
    static const prometheus::Histogram::BucketBoundaries buckets = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    return buckets;
}

}  // namespace inkan::metrics
