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
    explicit StoreExistingCertificates(CertificateStore& certificates) : certificates_(certificates) {}
    bool has_valid_certificate_with_subject(const std::string& dn) const override {
        return certificates_.subject_claimed(SubjectClaim{dn, std::nullopt}, unix_now());
    }

private:
    CertificateStore& certificates_;
};

}  // namespace inkan::store
