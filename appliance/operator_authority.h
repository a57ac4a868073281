// api::Authority over the CA core and the store: operator authentication from
// the TLS client certificate, issuance from a CSR, certificate look-up scoped
// to the operator's institution (by serial, and the filtered, paginated list).
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
    api::CertificatePage list_certificates(const api::OperatorIdentity& who,
                                           const api::CertificateQuery& query) override;

  private:
    Services& s_;
};

// The look-up query as the store runs it: scoped to the operator's institution
// (a service admin: every institution), serial and status parsed, now = the clock.
store::CertificateQuery store_query(const api::OperatorIdentity& who,
                                    const api::CertificateQuery& query);

// status "expired" when valid in the store and not_after <= now; with_pem: the
// certificate as PEM (look-ups leave it out).
api::CertificateView to_view(const store::CertificateRecord& record, int64_t now,
                             bool with_pem = true);

}  // namespace inkan::appliance
