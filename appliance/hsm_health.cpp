#include "appliance/hsm_health.h"

namespace inkan::appliance {

api::HsmReport HsmHealthReport::hsm(bool probe) {
    hsm::HsmHealth h = token_.health(probe);
    api::HsmReport r;
    r.available = h.state == hsm::HsmState::Ok;
    r.reason = h.reason;
    r.retry_after_seconds = h.retry_after_seconds;
    r.reconnections = h.reconnections;
    return r;
}

}  // namespace inkan::appliance
