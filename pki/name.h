// Distinguished names as ordered (attribute, value) lists. The first entry
// becomes the first RDN in the DER encoding (what `openssl x509 -subject`
// prints first); each attribute is its own RDN; values are UTF-8
// (countryName is encoded as PrintableString, as X.520 requires).
#pragma once

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "common/openssl_ptr.h"

namespace inkan::pki {

struct NameAttribute {
    std::string type;   // short name or OID: "CN", "OU", "O", "L", "ST", "C", "emailAddress"
    std::string value;  // UTF-8
    bool operator==(const NameAttribute&) const = default;
};

using DistinguishedName = std::vector<NameAttribute>;

// Throws Error(InvalidInput, "bad_name") on an unknown attribute or a bad value.
X509NamePtr build_name(const DistinguishedName& name);

// The attributes of `name` in DER order, with short names ("CN") where known.
DistinguishedName name_attributes(const X509_NAME* name);

// The RDNs of `name` in DER order; an RDN with more than one attribute is multi-valued.
std::vector<DistinguishedName> name_rdns(const X509_NAME* name);

// One line, RFC 2253 style (for logs and error messages).
std::string name_to_string(const X509_NAME* name);

// The form request files use (policy::SubjectDn::to_string): most specific
// first ("CN=..,OU=..,O=..,L=..,ST=..,C=JP"), ',' between attributes, values
// verbatim (no escaping). The store keys subjects by it (duplicate-DN rule).
std::string name_to_request_form(const X509_NAME* name);

}  // namespace inkan::pki
