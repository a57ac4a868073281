// The service admin's edits of the institution registry, each audited before
// it is made (institution_added, domain_approved, locality_set,
// whois_name_added, with who made it): one home for `inkan institution ...`
// and the admin API (POST /api/v1/admin/institutions...).
#pragma once

#include <optional>
#include <string>

#include "appliance/audit_log.h"
#include "policy/institution.h"
#include "store/sqlite_institution_registry.h"

namespace inkan::appliance {

class InstitutionAdmin {
  public:
    // actor: who asks ("inkan institution (CLI)", or the admin's operator name).
    InstitutionAdmin(store::SqliteInstitutionRegistry& registry, AuditLog& audit, std::string actor)
        : registry_(registry), audit_(audit), actor_(std::move(actor)) {}

    void add(const policy::Institution& institution);
    // domain: lower-cased here.
    void approve_domain(const std::string& institution, std::string domain, policy::Date until);
    void set_locality(const std::string& institution, const std::optional<std::string>& state,
                      const std::optional<std::string>& locality);
    void add_whois_name(const std::string& institution, const std::string& organisation);

  private:
    store::SqliteInstitutionRegistry& registry_;
    AuditLog& audit_;
    std::string actor_;
};

}  // namespace inkan::appliance
