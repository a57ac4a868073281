// policy::ExistingCertificates over the certificate store (duplicate-DN rule):
// a valid certificate, a pending request row or an in-flight issuance (see
// store::SubjectClaim). The upload re-checks this inside its transaction.
#pragma once

#include "policy/institution.h"
#include "store/certificate_store.h"
#include "store/database.h"

namespace inkan::store {

class StoreExistingCertificates final : public policy::ExistingCertificates {
  public:
    explicit StoreExistingCertificates(CertificateStore& certificates)
        : certificates_(certificates) {}
    bool has_valid_certificate_with_subject(const std::string& dn) const override {
        return certificates_.subject_claimed(SubjectClaim{dn, std::nullopt}, unix_now());
    }
    bool subject_claimed_besides(const std::string& dn,
                                 const std::string& replaced_serial_dec) const override {
        auto replaced = certificates_.find_by_decimal(replaced_serial_dec);
        std::optional<std::string> serial_hex;
        if (replaced) serial_hex = replaced->serial_hex;
        return certificates_.subject_claimed(SubjectClaim{dn, std::nullopt, serial_hex},
                                             unix_now());
    }

  private:
    CertificateStore& certificates_;
};

// policy::CertificateLookup over the certificate store: subscriber certificates
// by decimal serial (revoke and renew rows).
class StoreCertificateLookup final : public policy::CertificateLookup {
  public:
    explicit StoreCertificateLookup(CertificateStore& certificates) : certificates_(certificates) {}
    std::optional<policy::KnownCertificate> find_by_serial(
        const std::string& serial_dec) const override {
        auto r = certificates_.find_by_decimal(serial_dec);
        if (!r || r->kind != CertificateKind::Subscriber) return std::nullopt;
        const int64_t now = unix_now();
        return policy::KnownCertificate{r->serial_dec,
                                        r->subject,
                                        r->institution.value_or(""),
                                        r->status == CertificateStatus::Revoked,
                                        r->not_after <= now,
                                        certificates_.renewal_pending(r->serial_hex, now)};
    }

  private:
    CertificateStore& certificates_;
};

}  // namespace inkan::store
