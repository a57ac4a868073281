// api::Publication over the core: the latest stored CRL, the CA certificate and
// the OCSP responder; and the timer of `inkan serve` that keeps the CRL fresh.
#pragma once

#include <functional>

#include "api/publication.h"
#include "appliance/services.h"

namespace inkan::appliance {

class AppliancePublication final : public api::Publication {
  public:
    explicit AppliancePublication(Services& services) : services_(services) {}

    std::string crl_name() override { return kCrlName; }
    std::optional<Bytes> latest_crl() override;
    Bytes ca_certificate_der() override;
    Bytes ocsp_response(ByteView request_der) override;

  private:
    Services& services_;
};

// The CRL timer of `inkan serve`: CrlPublisher::refresh_if_due() every
// `interval` (a first CRL at start, a new one within `interval` of any revocation,
// whichever path made it, and at half the validity, well before nextUpdate).
std::function<void()> crl_refresh(ca::CrlPublisher& publisher);

}  // namespace inkan::appliance
