#include "appliance/institution_admin.h"

#include <algorithm>
#include <cctype>

#include "appliance/audited.h"
#include "policy/request_rows.h"

namespace inkan::appliance {
namespace {

using nlohmann::json;

json optional_json(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

void InstitutionAdmin::add(const policy::Institution& i) {
    json fields = {{"by", actor_},
                   {"institution", i.name},
                   {"state", optional_json(i.state)},
                   {"locality", optional_json(i.locality)},
                   {"whois_names", i.whois_names},
                   {"profiles", i.enabled_profiles}};
    audited(
        audit_, "institution_added", fields,
        [&] {
            registry_.add(i);
            return true;
        },
        [](bool) { return json::object(); });
}

void InstitutionAdmin::approve_domain(const std::string& institution, std::string domain,
                                      policy::Date until) {
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    json fields = {{"by", actor_},
                   {"institution", institution},
                   {"domain", domain},
                   {"until", policy::format_date(until)}};
    audited(
        audit_, "domain_approved", fields,
        [&] {
            registry_.approve_domain(institution, {domain, until});
            return true;
        },
        [](bool) { return json::object(); });
}

void InstitutionAdmin::set_locality(const std::string& institution,
                                    const std::optional<std::string>& state,
                                    const std::optional<std::string>& locality) {
    json fields = {{"by", actor_},
                   {"institution", institution},
                   {"state", optional_json(state)},
                   {"locality", optional_json(locality)}};
    audited(
        audit_, "locality_set", fields,
        [&] {
            registry_.set_locality(institution, state, locality);
            return true;
        },
        [](bool) { return json::object(); });
}

void InstitutionAdmin::add_whois_name(const std::string& institution,
                                      const std::string& organisation) {
    json fields = {{"by", actor_}, {"institution", institution}, {"organisation", organisation}};
    audited(
        audit_, "whois_name_added", fields,
        [&] {
            registry_.add_whois_name(institution, organisation);
            return true;
        },
        [](bool) { return json::object(); });
}

}  // namespace inkan::appliance
