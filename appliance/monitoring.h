// The running appliance's metrics (README "Metrics"): the registry GET /metrics
// serves, the HTTP and workflow families, and gauges read at each scrape from
// the HSM session pool (hsm::PoolStats: plain numbers, no PKCS#11 outside hsm/)
// and from the notification outbox.
#pragma once

#include "appliance/services.h"
#include "metrics/http_metrics.h"
#include "metrics/registry.h"
#include "metrics/workflow_metrics.h"

namespace inkan::appliance {

class Monitoring {
  public:
    explicit Monitoring(Services& services);
    Monitoring(const Monitoring&) = delete;
    Monitoring& operator=(const Monitoring&) = delete;

    metrics::Registry registry;
    metrics::HttpMetrics http{registry};
    metrics::WorkflowMetrics workflow{registry};
};

}  // namespace inkan::appliance
