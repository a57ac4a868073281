// The certificate subject of an approved row: the row's DN string
// ("CN=..,OU=..,O=..,L=..,ST=..,C=JP", as policy checked it) in DER order
// (C, ST, L, O, OU..., CN). A CSR's own subject is never used.
#pragma once

#include <string>

#include "pki/name.h"

namespace inkan::issuance {

// Throws Error(Internal, "row_subject_invalid") if the stored DN no longer parses.
pki::DistinguishedName row_subject(const std::string& row_dn);

}  // namespace inkan::issuance
