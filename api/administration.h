// The service admin's functions over the API (institutions, their approvals,
// operators), as the CLI has them (`inkan institution ...`, `inkan operator
// ...`). api owns this interface; appliance/service_admin.h implements it,
// audited. Every call is for service admins only: the route gate checks the
// role (api::Access::ServiceAdmin) and the implementation again.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/authority.h"
#include "common/secret.h"
#include "policy/institution.h"

namespace inkan::api {

struct OperatorView {
    std::string name;
    std::string institution;
    OperatorRole role = OperatorRole::RaOperator;
    std::string email;
    std::string certificate_serial_hex;
    std::string certificate_status;  // "valid", "revoked" or "expired"
};

struct NewOperator {
    std::string name;
    std::string institution;
    std::string email;
    OperatorRole role = OperatorRole::RaOperator;
};

// A new operator's credential, handed over once in the answer and kept nowhere.
struct HandedOverCredential {
    OperatorView op;
    Bytes p12;
    SecretString password;
};

class Administration {
  public:
    virtual ~Administration() = default;
    virtual std::vector<policy::Institution> list_institutions(const OperatorIdentity& who) = 0;
    virtual policy::Institution find_institution(const OperatorIdentity& who,
                                                 const std::string& name) = 0;
    virtual policy::Institution add_institution(const OperatorIdentity& who,
                                                const policy::Institution& institution) = 0;
    virtual policy::Institution approve_domain(const OperatorIdentity& who,
                                               const std::string& institution,
                                               const std::string& domain,
                                               const std::string& until) = 0;
    virtual policy::Institution set_locality(const OperatorIdentity& who,
                                             const std::string& institution,
                                             const std::optional<std::string>& state,
                                             const std::optional<std::string>& locality) = 0;
    virtual policy::Institution add_whois_name(const OperatorIdentity& who,
                                               const std::string& institution,
                                               const std::string& organisation) = 0;
    virtual std::vector<OperatorView> list_operators(const OperatorIdentity& who) = 0;
    virtual HandedOverCredential add_operator(const OperatorIdentity& who,
                                              const NewOperator& op) = 0;
    virtual OperatorView revoke_operator(const OperatorIdentity& who, const std::string& name,
                                         int reason) = 0;
};

}  // namespace inkan::api
