// policy::ExistingCertificates over the certificate store (duplicate-DN rule).
#pragma once

#include "policy/institution.h"
#include "store/certificate_store.h"
#include "store/database.h"

namespace inkan::store {

class StoreExistingCertificates final : public policy::ExistingCertificates {
public:
    explicit StoreExistingCertificates(CertificateStore& certificates) : certificates_(certificates) {}
    bool has_valid_certificate_with_subject(const std::string& dn) const override {
        return certificates_.has_valid_with_subject(dn, unix_now());
    }

private:
    CertificateStore& certificates_;
};

}  // namespace inkan::store
