// api::Administration over the registry, the operator store and the CA: the
// service admin's functions over the API, each audited (InstitutionAdmin,
// issue_operator, operator_revoked) with the admin's name.
#pragma once

#include "api/administration.h"
#include "appliance/services.h"

namespace inkan::appliance {

class ServiceAdmin final : public api::Administration {
  public:
    explicit ServiceAdmin(Services& services) : s_(services) {}

    std::vector<policy::Institution> list_institutions(const api::OperatorIdentity& who) override;
    policy::Institution find_institution(const api::OperatorIdentity& who,
                                         const std::string& name) override;
    policy::Institution add_institution(const api::OperatorIdentity& who,
                                        const policy::Institution& institution) override;
    policy::Institution approve_domain(const api::OperatorIdentity& who,
                                       const std::string& institution, const std::string& domain,
                                       const std::string& until) override;
    policy::Institution set_locality(const api::OperatorIdentity& who,
                                     const std::string& institution,
                                     const std::optional<std::string>& state,
                                     const std::optional<std::string>& locality) override;
    policy::Institution add_whois_name(const api::OperatorIdentity& who,
                                       const std::string& institution,
                                       const std::string& organisation) override;
    std::vector<api::OperatorView> list_operators(const api::OperatorIdentity& who) override;
    api::HandedOverCredential add_operator(const api::OperatorIdentity& who,
                                           const api::NewOperator& op) override;
    api::OperatorView revoke_operator(const api::OperatorIdentity& who, const std::string& name,
                                      int reason) override;

  private:
    api::OperatorView view_of(const store::OperatorRecord& record);
    Services& s_;
};

}  // namespace inkan::appliance
