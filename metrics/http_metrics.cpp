#include "metrics/http_metrics.h"

namespace inkan::metrics {

HttpMetrics::HttpMetrics(Registry& registry)
    : requests_(registry.counter("inkan_http_requests_total",
                                 "HTTP requests answered, by listener, method, route and status "
                                 "class")),
      duration_(registry.histogram("inkan_http_request_duration_seconds",
                                   "Time from routing a request to its answer, by listener, "
                                   "method and route")) {}

void HttpMetrics::observe(const std::string& listener, const std::string& method,
                          const std::string& route, int status, double seconds) {
    const prometheus::Labels where = {{"listener", listener}, {"method", method}, {"route", route}};
    prometheus::Labels counted = where;
    counted["status_class"] = status_class(status);
    requests_.Add(counted).Increment();
    duration_.Add(where, latency_buckets()).Observe(seconds);
}

std::string status_class(int status) {
    if (status < 100 || status > 599) return "none";
    return std::to_string(status / 100) + "xx";
}

}  // namespace inkan::metrics
