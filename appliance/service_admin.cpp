#include "appliance/service_admin.h"

#include "appliance/audited.h"
#include "appliance/bootstrap.h"
#include "appliance/institution_admin.h"
#include "common/error.h"

namespace inkan::appliance {
namespace {

// The route gate checked the role already; the core checks it again.
void require_admin(const api::OperatorIdentity& who) {
    if (who.role != OperatorRole::ServiceAdmin) {
        throw Error(ErrorCategory::Forbidden, "service_admin_only",
                    "this function is for service admins only");
    }
}

std::string actor(const api::OperatorIdentity& who) { return who.name + " (API)"; }

}  // namespace

std::vector<policy::Institution> ServiceAdmin::list_institutions(const api::OperatorIdentity& who) {
    require_admin(who);
    return s_.policy->registry().list();
}

policy::Institution ServiceAdmin::find_institution(const api::OperatorIdentity& who,
                                                   const std::string& name) {
    require_admin(who);
    auto found = s_.policy->registry().find_by_name(name);
    if (!found) {
        throw Error(ErrorCategory::NotFound, "institution_not_found",
                    "no institution named '" + name + "'");
    }
    return *found;
}

policy::Institution ServiceAdmin::add_institution(const api::OperatorIdentity& who,
                                                  const policy::Institution& institution) {
    require_admin(who);
    InstitutionAdmin(s_.policy->registry(), *s_.audit, actor(who)).add(institution);
    return find_institution(who, institution.name);
}

policy::Institution ServiceAdmin::approve_domain(const api::OperatorIdentity& who,
                                                 const std::string& institution,
                                                 const std::string& domain,
                                                 const std::string& until) {
    require_admin(who);
    auto date = policy::parse_date(until);
    if (!date) {
        throw Error(ErrorCategory::InvalidInput, "date_invalid",
                    "'" + until + "' is not a date YYYY-MM-DD");
    }
    InstitutionAdmin(s_.policy->registry(), *s_.audit, actor(who))
        .approve_domain(institution, domain, *date);
    return find_institution(who, institution);
}

policy::Institution ServiceAdmin::set_locality(const api::OperatorIdentity& who,
                                               const std::string& institution,
                                               const std::optional<std::string>& state,
                                               const std::optional<std::string>& locality) {
    require_admin(who);
    InstitutionAdmin(s_.policy->registry(), *s_.audit, actor(who))
        .set_locality(institution, state, locality);
    return find_institution(who, institution);
}

policy::Institution ServiceAdmin::add_whois_name(const api::OperatorIdentity& who,
                                                 const std::string& institution,
                                                 const std::string& organisation) {
    require_admin(who);
    InstitutionAdmin(s_.policy->registry(), *s_.audit, actor(who))
        .add_whois_name(institution, organisation);
    return find_institution(who, institution);
}

api::OperatorView ServiceAdmin::view_of(const store::OperatorRecord& r) {
    api::OperatorView v{r.name, r.institution, r.role, r.email, r.certificate_serial, "valid"};
    if (auto cert = s_.certificates->find(r.certificate_serial)) {
        if (cert->status == store::CertificateStatus::Revoked)
            v.certificate_status = "revoked";
        else if (cert->not_after <= store::unix_now())
            v.certificate_status = "expired";
    }
    return v;
}

std::vector<api::OperatorView> ServiceAdmin::list_operators(const api::OperatorIdentity& who) {
    require_admin(who);
    std::vector<api::OperatorView> out;
    for (const auto& r : s_.operators->list()) out.push_back(view_of(r));
    return out;
}

api::HandedOverCredential ServiceAdmin::add_operator(const api::OperatorIdentity& who,
                                                     const api::NewOperator& op) {
    require_admin(who);
    if (op.role == OperatorRole::RaOperator &&
        !s_.policy->registry().find_by_name(op.institution)) {
        throw Error(ErrorCategory::NotFound, "institution_not_found",
                    "no institution named '" + op.institution + "' (register it first)");
    }
    auto issued = issue_operator(s_, op.name, op.institution, op.email, op.role, actor(who));
    auto record = s_.operators->find_by_name(op.name);
    return {view_of(*record), std::move(issued.p12), issued.password};
}

api::OperatorView ServiceAdmin::revoke_operator(const api::OperatorIdentity& who,
                                                const std::string& name, int reason) {
    require_admin(who);
    if (reason != 1 && reason != 3 && reason != 4 && reason != 5) {
        throw Error(ErrorCategory::InvalidInput, "reason_invalid",
                    "reason must be 1 keyCompromise, 3 affiliationChanged, 4 superseded or 5 "
                    "cessationOfOperation");
    }
    auto record = s_.operators->find_by_name(name);
    if (!record) {
        throw Error(ErrorCategory::NotFound, "operator_not_found",
                    "no operator named '" + name + "'");
    }
    nlohmann::json fields = {{"by", actor(who)},
                             {"name", name},
                             {"serial_hex", record->certificate_serial},
                             {"reason", reason}};
    audited(
        *s_.audit, "operator_revoked", fields,
        [&] {
            s_.certificates->revoke(record->certificate_serial, reason, std::nullopt,
                                    store::unix_now());
            s_.crl_publisher->regenerate();
            return true;
        },
        [](bool) { return nlohmann::json::object(); });
    return view_of(*record);
}

}  // namespace inkan::appliance
