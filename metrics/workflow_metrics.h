// What the CA did, by outcome: "ok", or "refused" with the error's code
// (label code; empty when ok). Counted by the appliance's metrics decorators
// (appliance/metered.h) around the same calls the audit log records.
#pragma once

#include <cstddef>
#include <string>

#include "metrics/registry.h"

namespace inkan::metrics {

class WorkflowMetrics {
  public:
    explicit WorkflowMetrics(Registry& registry);

    // code empty: ok. channel: csr (operator API), p12, bulk_zip, browser.
    void issuance(const std::string& channel, const std::string& code);
    // kind: pin_page, p12, bulk_zip, browser (a subscriber's use of a URL).
    void download(const std::string& kind, const std::string& code);
    // via: request_file, by_mail; certificates: how many it revoked.
    void revocation(const std::string& via, const std::string& code, size_t certificates);
    // action: issue, renew, revoke (an RA operator's upload).
    void request_file(const std::string& action, const std::string& code);

  private:
    prometheus::Family<prometheus::Counter>& issuances_;
    prometheus::Family<prometheus::Counter>& downloads_;
    prometheus::Family<prometheus::Counter>& revocations_;
    prometheus::Family<prometheus::Counter>& revoked_certificates_;
    prometheus::Family<prometheus::Counter>& request_files_;
};

}  // namespace inkan::metrics
