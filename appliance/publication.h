// api::Publication over the core: the latest stored CRL, the CA certificate and
// the OCSP responder; and the timer of `inkan serve` that keeps the CRL fresh.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

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

// Runs CrlPublisher::refresh_if_due() every `interval` on its own thread: a
// first CRL at start, a new one within `interval` of any revocation (whichever
// path made it) and at half the validity, well before nextUpdate.
class CrlRefresher {
  public:
    CrlRefresher(ca::CrlPublisher& publisher, std::chrono::seconds interval);
    ~CrlRefresher();
    CrlRefresher(const CrlRefresher&) = delete;
    CrlRefresher& operator=(const CrlRefresher&) = delete;

    void start();  // refreshes once (errors thrown), then keeps going on the thread
    void stop();

  private:
    void run();
    ca::CrlPublisher& publisher_;
    std::chrono::seconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace inkan::appliance
