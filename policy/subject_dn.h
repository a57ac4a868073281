// Subject DN of a request row: `CN=...,OU=...,O=...,L=...,ST=...,C=JP`.
//
// Syntax: attributes separated by ',' where the ',' is followed by one of the
// attribute types CN, OU, O, L, ST, C (upper case) and '='. A comma inside a CN
// ("Yamada, Taro") is therefore part of the value. No escaping, no spaces around
// separators. Order CN, OU*, O, L?, ST?, C; CN, O and C exactly once, OU any
// number of times, at least one of L and ST.
// Allowed characters (request-files.md): CN letters, digits, space and
// ' ( ) , - . / : = @ _ ; OU, O, L, ST the same without @ and _.
// Lengths: whole DN ≤ 250 characters; each value 1..64 characters. C must be JP.
// L must not contain "Academe" or "Default" and must not be just "City"
// (compared case-insensitively).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/findings.h"

namespace inkan::policy {

struct SubjectDn {
    std::string cn;
    std::vector<std::string> ou;
    std::string o;
    std::optional<std::string> l;
    std::optional<std::string> st;
    std::string c;

    // The DN in the file's own order and spelling: CN=..,OU=..,O=..,L=..,ST=..,C=..
    std::string to_string() const;
    bool operator==(const SubjectDn&) const = default;
};

struct DnParseResult {
    std::optional<SubjectDn> dn;    // set when `findings` is empty
    std::vector<Finding> findings;  // all on `line`, column 1
};

DnParseResult parse_subject_dn(std::string_view text, std::size_t line);

// One attribute of a subject given as RDNs, with OpenSSL's short type name
// ("CN", "OU", "O", "L", "ST", "C"; others as their short name or dotted OID).
struct DnAttribute {
    std::string type;
    std::string value;  // UTF-8
};
using Rdn = std::vector<DnAttribute>;

// A subject given as RDNs (a CSR's, in DER order: least specific first), checked
// by the same rules as a request row's DN after these structural ones: one
// attribute per RDN (dn_multivalued_rdn); only CN, OU, O, L, ST, C
// (dn_attribute_unsupported); none but OU more than once (dn_attribute_repeated).
// The RDN order is normalised (CN, OU..., O, L, ST, C; OUs keep their relative
// order). A value that would read differently in the row form, e.g. a CN
// "x,O=Other" (dn_ambiguous), is refused: the result's to_string() parses back
// to exactly the same DN.
DnParseResult subject_dn_from_rdns(const std::vector<Rdn>& rdns, std::size_t line);

}  // namespace inkan::policy
