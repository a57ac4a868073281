#include "issuance/undelivered.h"

#include "common/error.h"
#include "common/log.h"

namespace inkan::issuance {

UndeliveredCertificates::UndeliveredCertificates(store::CertificateStore& certificates,
                                                 std::function<int64_t()> now)
    : certificates_(certificates), now_(std::move(now)) {}

UndeliveredCertificates::~UndeliveredCertificates() {
    for (const auto& serial : serials_) {
        try {
            certificates_.revoke(serial, kReasonSuperseded, std::string(kUndeliveredComment),
                                 now_());
        } catch (const std::exception& e) {
            // Still Pending in the store: the next start revokes it.
            log::error("could not revoke an undelivered certificate",
                       {{"serial", serial}, {"cause", e.what()}});
        }
    }
}

void UndeliveredCertificates::add(const std::string& serial_hex) {
    std::lock_guard lock(mutex_);
    serials_.push_back(serial_hex);
}

void UndeliveredCertificates::delivered() {
    std::lock_guard lock(mutex_);
    serials_.clear();
}

size_t revoke_undelivered(store::CertificateStore& certificates, int64_t now) {
    size_t revoked = 0;
    for (const auto& record : certificates.undelivered()) {
        certificates.revoke(record.serial_hex, kReasonSuperseded, std::string(kUndeliveredComment),
                            now);
        ++revoked;
    }
    certificates.settle_open_reservations();
    return revoked;
}

}  // namespace inkan::issuance
