#include "metrics/workflow_metrics.h"

namespace inkan::metrics {
namespace {

void count(prometheus::Family<prometheus::Counter>& family, const char* what,
           const std::string& value, const std::string& code) {
    family.Add({{what, value}, {"outcome", code.empty() ? "ok" : "refused"}, {"code", code}})
        .Increment();
}

}  // namespace

WorkflowMetrics::WorkflowMetrics(Registry& registry)
    : issuances_(registry.counter(
          "inkan_issuances_total",
          "Calls that issue certificates (channel csr, p12, bulk_zip, browser), by outcome")),
      downloads_(registry.counter(
          "inkan_downloads_total",
          "Subscriber uses of a PIN or retrieval URL (kind pin_page, p12, bulk_zip, browser), "
          "by outcome")),
      revocations_(registry.counter("inkan_revocations_total",
                                    "Revocation requests (via request_file, by_mail), by outcome")),
      revoked_certificates_(registry.counter("inkan_revoked_certificates_total",
                                             "Certificates revoked by accepted revocation "
                                             "requests")),
      request_files_(registry.counter(
          "inkan_request_files_total",
          "Request files uploaded by RA operators (action issue, renew, revoke), by outcome")) {}

void WorkflowMetrics::issuance(const std::string& channel, const std::string& code) {
    count(issuances_, "channel", channel, code);
}

void WorkflowMetrics::download(const std::string& kind, const std::string& code) {
    count(downloads_, "kind", kind, code);
}

void WorkflowMetrics::revocation(const std::string& via, const std::string& code,
                                 size_t certificates) {
    count(revocations_, "via", via, code);
    if (certificates > 0) {
        revoked_certificates_.Add({{"via", via}}).Increment(static_cast<double>(certificates));
    }
}

void WorkflowMetrics::request_file(const std::string& action, const std::string& code) {
    count(request_files_, "action", action, code);
}

}  // namespace inkan::metrics
