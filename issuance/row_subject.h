// The certificate subject of an approved row or CSR: the checked DN
// ("CN=..,OU=..,O=..,L=..,ST=..,C=JP", as policy checked it) in DER order
// (C, ST, L, O, OU..., CN) — the exact reverse of the row form, so the issued
// certificate's subject reads back (pki::name_to_request_form) byte for byte as
// the checked DN. A CSR's own attribute list is never copied.
#pragma once

#include <string>

#include "pki/name.h"
#include "policy/request_rows.h"
#include "policy/subject_dn.h"
#include "store/batch_store.h"

namespace inkan::issuance {

pki::DistinguishedName row_subject(const policy::SubjectDn& dn);
// Throws Error(Internal, "row_subject_invalid") if the stored DN no longer parses.
pki::DistinguishedName row_subject(const std::string& row_dn);

// A stored row as the policy rules see it (DN, profile, download type, mails).
policy::IssueRow issue_row_of(const store::BatchRowRecord& row);

}  // namespace inkan::issuance
