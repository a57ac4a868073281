#include "policy/institution_rules.h"

#include <algorithm>

#include "policy/ascii.h"

namespace inkan::policy {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

// `lower_text` (lower case) equals `text` ignoring ASCII case.
bool equals_lower(std::string_view lower_text, std::string_view text) {
    if (lower_text.size() != text.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (lower_text[i] != ascii_lower(text[i])) return false;
    return true;
}

bool is_host_name(std::string_view text) {
    if (text.empty() || text.find('.') == std::string_view::npos) return false;
    std::size_t start = 0;
    std::string_view last;
    while (start <= text.size()) {
        std::size_t dot = text.find('.', start);
        std::string_view label =
            text.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label)
            if (!is_ascii_alnum(c) && c != '-') return false;
        last = label;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return std::all_of(last.begin(), last.end(), [](char c) { return is_ascii_alpha(c); });
}

std::string domain_of_mail(std::string_view mail) { return lower(mail.substr(mail.find('@') + 1)); }

const ApprovedDomain* approval_for(const Institution& institution, const std::string& domain) {
    const ApprovedDomain* best = nullptr;
    for (const auto& approved : institution.domains) {
        const std::string& d = approved.domain;  // compared in lower case
        const std::size_t dot = domain.size() - d.size() - 1;
        bool match =
            equals_lower(domain, d) || (domain.size() > d.size() && domain[dot] == '.' &&
                                        equals_lower(std::string_view(domain).substr(dot + 1), d));
        if (match && (!best || approved.domain.size() > best->domain.size())) best = &approved;
    }
    return best;
}

// Any organisation field of the record equals any registered name (normalise_organisation_name).
bool whois_name_matches(const Institution& institution,
                        const std::vector<std::string>& organisations) {
    for (const std::string& organisation : organisations) {
        std::string found = normalise_organisation_name(organisation);
        for (const std::string& name : institution.whois_names)
            if (normalise_organisation_name(name) == found) return true;
    }
    return false;
}

}  // namespace

std::vector<RowDomain> domains_of(const IssueRow& row) {
    std::vector<RowDomain> domains;
    if (is_host_name(row.dn.cn)) {
        domains.push_back({lower(row.dn.cn), 1});
    } else if (is_valid_mail(row.dn.cn)) {
        domains.push_back({domain_of_mail(row.dn.cn), 1});
    } else {
        if (!row.admin_mail.empty()) domains.push_back({domain_of_mail(row.admin_mail), 10});
        if (!row.user_mail.empty()) domains.push_back({domain_of_mail(row.user_mail), 14});
    }
    // An S/MIME certificate names a mailbox: its domain must be approved too.
    if (auto mail = certificate_mail(row); mail && !mail->empty()) {
        RowDomain d{domain_of_mail(*mail),
                    *mail == row.user_mail ? std::size_t{14} : std::size_t{10}};
        bool listed = std::any_of(domains.begin(), domains.end(),
                                  [&](const RowDomain& r) { return r.column == d.column; });
        if (!listed) domains.push_back(std::move(d));
    }
    return domains;
}

bool check_institution_rules(const IssueRow& row, const InstitutionContext& context,
                             std::vector<Finding>& findings) {
    const std::size_t start = findings.size();
    auto fail = [&](std::string_view code, std::size_t column, std::string detail = {}) {
        findings.push_back(make_finding(code, row.line, column, detail));
    };
    if (context.requester && row.dn.o != *context.requester) {
        fail("institution_mismatch", 1,
             "O=" + row.dn.o + ", your institution: " + *context.requester);
        return false;
    }
    std::optional<Institution> institution = context.registry.find_by_name(row.dn.o);
    if (!institution) {
        fail("institution_unknown", 1, "O=" + row.dn.o);
        return false;
    }
    if (!institution->enabled_profiles.count(row.profile_id))
        fail("profile_not_enabled_for_institution", 2);

    std::vector<RowDomain> domains = domains_of(row);
    if (domains.empty()) fail("domain_not_approved", 1, "no domain in CN or mail addresses");
    std::vector<std::string> whois_checked;
    const Date today = context.clock.today();
    for (const RowDomain& d : domains) {
        const ApprovedDomain* approval = approval_for(*institution, d.domain);
        if (!approval) {
            fail("domain_not_approved", d.column, d.domain);
            continue;
        }
        if (today > approval->approval_expires) {
            fail("approval_expired", d.column,
                 d.domain + " approval ended " + format_date(approval->approval_expires));
            continue;
        }
        std::string registered = lower(approval->domain);
        if (std::find(whois_checked.begin(), whois_checked.end(), registered) !=
            whois_checked.end())
            continue;
        whois_checked.push_back(registered);
        // The demo institution's reserved example names: no lookup, counted as matched.
        if (institution->whois_source == WhoisSource::Demo && is_demo_domain(registered)) continue;
        WhoisAnswer answer = context.whois.lookup(registered);
        if (answer.status != WhoisAnswer::Status::Found) {
            fail("whois_connection_failed", d.column, registered);
        } else if (!whois_name_matches(*institution, answer.organisations)) {
            fail("whois_mismatch", d.column, registered);
        }
    }
    if (row.dn.l != institution->locality) fail("locality_mismatch", 1);
    if (row.dn.st != institution->state) fail("state_mismatch", 1);
    return findings.size() == start;
}

}  // namespace inkan::policy
