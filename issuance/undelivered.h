// Certificates signed for request rows whose delivery is not recorded yet.
// Inkan's choice for a failed delivery (issue 7): the certificate is revoked
// (reason 4 superseded), never left valid without a holder; the row keeps its
// state and a retry issues a new key and certificate. In-process failures are
// handled by UndeliveredCertificates (revoked before the error reaches the
// caller); a crash leaves them Delivery::Pending, and revoke_undelivered() at the
// next start revokes them.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "store/certificate_store.h"

namespace inkan::issuance {

inline constexpr int64_t kReasonSuperseded = 4;
inline constexpr const char* kUndeliveredComment =
    "not delivered: the download failed before it completed; a retry issues a new certificate";

class UndeliveredCertificates {
  public:
    UndeliveredCertificates(store::CertificateStore& certificates, std::function<int64_t()> now);
    ~UndeliveredCertificates();  // revokes what was not marked delivered
    UndeliveredCertificates(const UndeliveredCertificates&) = delete;
    UndeliveredCertificates& operator=(const UndeliveredCertificates&) = delete;

    void add(const std::string& serial_hex);  // thread-safe
    void delivered();                         // the download was recorded: keep them

  private:
    store::CertificateStore& certificates_;
    std::function<int64_t()> now_;
    std::mutex mutex_;
    std::vector<std::string> serials_;
};

// Revokes every valid certificate still Delivery::Pending and settles every open
// serial reservation. Only for a start-up, before any download can run.
// Returns the number of certificates revoked.
size_t revoke_undelivered(store::CertificateStore& certificates, int64_t now);

}  // namespace inkan::issuance
