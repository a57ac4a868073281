// Institution rules for an issue or renew row that passed its column checks.
//
// Which domain a row belongs to:
//   1. the CN, if it looks like a host name (letters, digits, '-' and '.', at least
//      two labels, last label alphabetic) → that host name;
//   2. else the CN, if it is a mail address → the part after '@';
//   3. else the domains of the mail addresses in columns 10 and 14 (each present
//      one is checked, in column order).
// Domains compare case-insensitively; a domain is approved if it equals an approved
// domain of the institution or is a subdomain of one (ends with "." + approved).
// No derivable domain at all is `domain_not_approved` on the subject DN.
//
//   4. for S/MIME profiles also the domain of the mailbox the certificate names
//      (policy::certificate_mail: column 14, else column 10), from its column.
//
// Checks, in order (all failures are reported, WHOIS only for approved, unexpired
// domains, once per approved domain per row):
//   O not the requester's institution (when the caller names one: the uploading
//     RA operator's)                  → institution_mismatch (column 1), nothing else
//   O not registered                   → institution_unknown (column 1), nothing else
//   profile not enabled for the institution → profile_not_enabled_for_institution (2)
//   domain not approved                → domain_not_approved (column the domain came from)
//   approval expired (today > expiry)  → approval_expired
//   WHOIS unreachable or no organisation in the answer → whois_connection_failed
//     (a response without an organisation is treated as a failed lookup: JPRS answers
//     rate limits and errors with such text, and "try again later" is the right advice)
//   no organisation field of the WHOIS record (a JPRS record has two: [組織名] and
//     [Organization]) equals any recorded name → whois_mismatch. Both sides are compared
//     in normalise_organisation_name form (whois.h): full-width ASCII forms
//     U+FF01–U+FF5E → U+0021–U+007E, U+3000 ideographic space → space, runs of
//     whitespace collapsed to one space and trimmed, ASCII letters case-insensitive;
//     nothing else (no kana folding, no punctuation stripping).
//   WHOIS organisation not among the recorded names (whitespace-normalised, exact)
//                                      → whois_mismatch
//     Exception: an institution whose WHOIS source is Demo (only the demo
//     institution `inkan init` registers) is not looked up for a demo domain
//     (is_demo_domain: example.<TLD> or example.<SLD>.<TLD>, or a name ending in
//     .test, .example, .invalid or .localhost); its organisation counts as matched. Any
//     other domain of a demo institution is looked up like everyone else's, so the
//     demo flag never vouches for a real domain.
//   L differs from the registered L    → locality_mismatch (column 1)
//   ST differs from the registered ST  → state_mismatch (column 1)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/findings.h"
#include "policy/institution.h"
#include "policy/request_rows.h"
#include "policy/whois.h"

namespace inkan::policy {

struct RowDomain {
    std::string domain;      // lower case
    std::size_t column = 1;  // where it came from: 1, 10 or 14
};

std::vector<RowDomain> domains_of(const IssueRow& row);

struct InstitutionContext {
    const InstitutionRegistry& registry;
    WhoisLookup& whois;
    const Clock& clock;
    // The requester's institution (the RA operator's); when set, the row's O must equal it.
    std::optional<std::string> requester = std::nullopt;
};

// Appends the row's institution findings; returns true if there were none.
bool check_institution_rules(const IssueRow& row, const InstitutionContext& context,
                             std::vector<Finding>& findings);

}  // namespace inkan::policy
