// GET /metrics on the loopback admin listener (README "Metrics"): the
// Prometheus text exposition of the appliance's metrics registry.
#pragma once

#include "api/route_table.h"
#include "metrics/registry.h"

namespace inkan::api {

class MetricsHandlers {
  public:
    explicit MetricsHandlers(metrics::Registry& registry) : registry_(registry) {}
    void register_routes(Routes routes);

  private:
    metrics::Registry& registry_;
};

}  // namespace inkan::api
