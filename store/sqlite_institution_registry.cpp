#include "store/sqlite_institution_registry.h"

#include "common/error.h"

namespace inkan::store {
namespace {

constexpr const char* kSelectInstitution =
    "SELECT name, state, locality, whois_source FROM institutions";

policy::WhoisSource whois_source_of(const std::string& name, const std::string& text) {
    if (text == "registry") return policy::WhoisSource::Registry;
    if (text == "demo") return policy::WhoisSource::Demo;
    throw Error(ErrorCategory::Internal, "store_bad_whois_source",
                "institution " + name + " has an unknown WHOIS source '" + text + "'");
}

// The institution of the current row of a kSelectInstitution statement.
policy::Institution load(Connection& c, Statement& row) {
    policy::Institution inst;
    inst.name = row.text(0);
    inst.state = row.opt_text(1);
    inst.locality = row.opt_text(2);
    inst.whois_source = whois_source_of(inst.name, row.text(3));
    const std::string& name = inst.name;
    Statement d(c,
                "SELECT domain, approval_expires FROM institution_domains WHERE institution = ? "
                "ORDER BY domain");
    d.bind(1, name);
    while (d.step()) {
        auto date = policy::parse_date(d.text(1));
        if (!date) {
            throw Error(ErrorCategory::Internal, "store_bad_date",
                        "institution " + name + " has a malformed approval date");
        }
        inst.domains.push_back({d.text(0), *date});
    }
    Statement w(c, "SELECT name FROM institution_whois_names WHERE institution = ? ORDER BY name");
    w.bind(1, name);
    while (w.step()) inst.whois_names.push_back(w.text(0));
    Statement p(c, "SELECT profile_id FROM institution_profiles WHERE institution = ?");
    p.bind(1, name);
    while (p.step()) inst.enabled_profiles.insert(static_cast<int>(p.int64(0)));
    return inst;
}

}  // namespace

void SqliteInstitutionRegistry::require(Connection& c, const std::string& institution) const {
    Statement s(c, "SELECT 1 FROM institutions WHERE name = ?");
    s.bind(1, institution);
    if (!s.step()) {
        throw Error(ErrorCategory::NotFound, "institution_not_found",
                    "no institution named '" + institution + "'");
    }
}

std::optional<policy::Institution> SqliteInstitutionRegistry::find_by_name(
    std::string_view o) const {
    return db_.with([&](Connection& c) -> std::optional<policy::Institution> {
        Statement s(c, std::string(kSelectInstitution) + " WHERE name = ?");
        s.bind(1, std::string(o));
        if (!s.step()) return std::nullopt;
        return load(c, s);
    });
}

std::vector<policy::Institution> SqliteInstitutionRegistry::list() const {
    return db_.with([&](Connection& c) {
        Statement s(c, std::string(kSelectInstitution) + " ORDER BY name");
        std::vector<policy::Institution> out;
        while (s.step()) out.push_back(load(c, s));
        return out;
    });
}

void SqliteInstitutionRegistry::add(const policy::Institution& inst) {
    if (inst.name.empty()) {
        throw Error(ErrorCategory::InvalidInput, "institution_name_empty",
                    "an institution needs a name");
    }
    db_.in_transaction([&](Connection& c) {
        Statement s(c,
                    "INSERT INTO institutions (name, state, locality, whois_source, created_at) "
                    "VALUES (?,?,?,?,?)");
        s.bind(1, inst.name).bind(2, inst.state).bind(3, inst.locality);
        s.bind(4, std::string(policy::to_string(inst.whois_source))).bind(5, unix_now()).run();
        for (const auto& d : inst.domains) {
            Statement i(c, "INSERT INTO institution_domains VALUES (?,?,?)");
            i.bind(1, inst.name)
                .bind(2, d.domain)
                .bind(3, policy::format_date(d.approval_expires))
                .run();
        }
        for (const auto& w : inst.whois_names) {
            Statement i(c, "INSERT OR IGNORE INTO institution_whois_names VALUES (?,?)");
            i.bind(1, inst.name).bind(2, w).run();
        }
        for (int p : inst.enabled_profiles) {
            Statement i(c, "INSERT INTO institution_profiles VALUES (?,?)");
            i.bind(1, inst.name).bind(2, static_cast<int64_t>(p)).run();
        }
    });
}

void SqliteInstitutionRegistry::approve_domain(const std::string& institution,
                                               const policy::ApprovedDomain& domain) {
    db_.in_transaction([&](Connection& c) {
        require(c, institution);
        Statement s(
            c,
            "INSERT INTO institution_domains VALUES (?,?,?) ON CONFLICT (institution, domain) "
            "DO UPDATE SET approval_expires = excluded.approval_expires");
        s.bind(1, institution)
            .bind(2, domain.domain)
            .bind(3, policy::format_date(domain.approval_expires))
            .run();
    });
}

void SqliteInstitutionRegistry::set_locality(const std::string& institution,
                                             const std::optional<std::string>& state,
                                             const std::optional<std::string>& locality) {
    db_.in_transaction([&](Connection& c) {
        require(c, institution);
        Statement s(c, "UPDATE institutions SET state = ?, locality = ? WHERE name = ?");
        s.bind(1, state).bind(2, locality).bind(3, institution).run();
    });
}

void SqliteInstitutionRegistry::add_whois_name(const std::string& institution,
                                               const std::string& name) {
    db_.in_transaction([&](Connection& c) {
        require(c, institution);
        Statement s(c, "INSERT OR IGNORE INTO institution_whois_names VALUES (?,?)");
        s.bind(1, institution).bind(2, name).run();
    });
}

void SqliteInstitutionRegistry::set_profiles(const std::string& institution,
                                             const std::set<int>& profiles) {
    db_.in_transaction([&](Connection& c) {
        require(c, institution);
        Statement d(c, "DELETE FROM institution_profiles WHERE institution = ?");
        d.bind(1, institution).run();
        for (int p : profiles) {
            Statement i(c, "INSERT INTO institution_profiles VALUES (?,?)");
            i.bind(1, institution).bind(2, static_cast<int64_t>(p)).run();
        }
    });
}

}  // namespace inkan::store
