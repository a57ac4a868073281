// What /healthz and /readyz report, owned by api and implemented by the appliance
// (api never touches PKCS#11). README "HSM faults".
#pragma once

#include <cstdint>
#include <string>

namespace inkan::api {

struct HsmReport {
    bool available = true;
    std::string reason;           // why not (no secrets)
    int retry_after_seconds = 0;  // until the next reconnection attempt
    uint64_t reconnections = 0;   // successful reconnections since start
};

class Health {
  public:
    virtual ~Health() = default;
    // probe: check the HSM now (and make a due reconnection attempt); without it
    // the last known state.
    virtual HsmReport hsm(bool probe) = 0;
};

}  // namespace inkan::api
