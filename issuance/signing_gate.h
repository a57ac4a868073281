// What must still hold at the moment of signing, for every path that signs
// (request rows at download, direct CSRs, later renewals). The upload checked
// these rules, but approvals expire, WHOIS answers change and operators are
// revoked between an upload and a download up to 30 days later: the gate checks
// them again, with the same codes and messages as the upload. (The duplicate-DN
// rule is enforced atomically by the serial reservation: store::SubjectClaim.)
#pragma once

#include <functional>
#include <string>

#include "policy/request_check.h"
#include "store/certificate_store.h"
#include "store/operator_store.h"

namespace inkan::issuance {

struct SigningRequest {
    policy::IssueRow row;  // subject DN, profile, download type, mails
    // The institution the request is made for (the RA operator's): the DN's O
    // must equal it. Empty: any registered institution (a service admin's CSR).
    std::string institution;
    std::string operator_name;  // who asked: must be on record and not revoked
};

class SigningGate {
  public:
    virtual ~SigningGate() = default;
    // Throws inkan::Error: the upload's finding as policy::to_error makes it
    // (institution_mismatch, profile_disabled, domain_not_approved,
    // approval_expired, whois_connection_failed, whois_mismatch, state_mismatch,
    // locality_mismatch, ...), or Forbidden operator_unknown / operator_revoked.
    virtual void check(const SigningRequest& request) = 0;
};

// The gate over the policy rules, the operator store and the certificate store.
class PolicySigningGate final : public SigningGate {
  public:
    using ContextSource = std::function<policy::CheckContext()>;
    PolicySigningGate(ContextSource context, store::OperatorStore& operators,
                      store::CertificateStore& certificates);
    void check(const SigningRequest& request) override;

  private:
    void check_operator(const std::string& name);
    ContextSource context_;
    store::OperatorStore& operators_;
    store::CertificateStore& certificates_;
};

}  // namespace inkan::issuance
