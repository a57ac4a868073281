// HTTP requests by listener, method, route (the pattern it matched, e.g.
// /api/v1/certificates/:serial, or "(unmatched)") and status class, and their
// latency per route.
#pragma once

#include <string>

#include "metrics/registry.h"

namespace inkan::metrics {

class HttpMetrics {
  public:
    explicit HttpMetrics(Registry& registry);

    // status 0 (nothing was sent) counts as status_class "none".
    void observe(const std::string& listener, const std::string& method, const std::string& route,
                 int status, double seconds);

  private:
    prometheus::Family<prometheus::Counter>& requests_;
    prometheus::Family<prometheus::Histogram>& duration_;
};

// "2xx" … "5xx", "none" for 0.
std::string status_class(int status);

}  // namespace inkan::metrics
