// api::Health from the token's session pool (hsm/session_pool.h).
#pragma once

#include "api/health.h"
#include "hsm/token.h"

namespace inkan::appliance {

class HsmHealthReport : public api::Health {
  public:
    explicit HsmHealthReport(hsm::Token& token) : token_(token) {}
    api::HsmReport hsm(bool probe) override;

  private:
    hsm::Token& token_;
};

}  // namespace inkan::appliance
