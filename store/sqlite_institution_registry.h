// policy::InstitutionRegistry over SQLite, plus the service admin's edits
// (`inkan institution ...`). policy owns the interface; store implements it.
#pragma once

#include <vector>

#include "policy/institution.h"
#include "store/database.h"

namespace inkan::store {

class SqliteInstitutionRegistry final : public policy::InstitutionRegistry {
  public:
    explicit SqliteInstitutionRegistry(Database& db) : db_(db) {}

    std::optional<policy::Institution> find_by_name(std::string_view o) const override;
    std::vector<policy::Institution> list() const;

    // Adds a new institution (Conflict if the name exists).
    void add(const policy::Institution& institution);
    // Adds or renews a domain approval (NotFound for an unknown institution).
    void approve_domain(const std::string& institution, const policy::ApprovedDomain& domain);
    void set_locality(const std::string& institution, const std::optional<std::string>& state,
                      const std::optional<std::string>& locality);
    void add_whois_name(const std::string& institution, const std::string& name);
    void set_profiles(const std::string& institution, const std::set<int>& profiles);

  private:
    void require(Connection& c, const std::string& institution) const;
    Database& db_;
};

}  // namespace inkan::store
