// api::Authority over the CA core and the store: operator authentication from
// the TLS client certificate, issuance from a CSR, certificate look-up scoped
// to the operator's institution.
#pragma once

#include "api/authority.h"
#include "appliance/services.h"

namespace inkan::appliance {

class OperatorAuthority final : public api::Authority {
public:
    explicit OperatorAuthority(Services& services) : s_(services) {}

    api::OperatorIdentity authenticate_operator(X509* client_certificate) override;
    std::string ca_certificate_pem() override;
    api::CertificateView issue_from_csr(const api::OperatorIdentity& who, ByteView csr,
                                        int profile_id) override;
    api::CertificateView find_certificate(const api::OperatorIdentity& who,
                                          const std::string& serial) override;

private:
    Services& s_;
};

api::CertificateView to_view(const store::CertificateRecord& record);

}  // namespace inkan::appliance
