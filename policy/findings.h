// Findings: what the policy engine says about a request file or one of its rows.
//
// Every finding has a stable snake_case code (machine-readable, never renamed),
// a numeric service code (the operator manual's `code:row,field,message` shape
// prints it), the 1-based line (0 = the whole file), the 1-based column (0 = no
// column) with its Japanese and English name, and a message in both languages.
//
// Numeric service codes (append-only; 212 is the service's own code for a DN that
// already exists, the rest is Inkan's design):
//   100-109 file level      101 file_empty, 102 encoding_invalid, 103 file_too_large,
//                           104 download_type_mixed
//   110-119 line shape      111 line_too_long, 112 nul_byte, 113 column_count
//   200-229 subject DN      201 dn_required, 202 dn_too_long, 203 dn_syntax,
//                           204 dn_order, 205 dn_attribute_missing, 206 dn_chars,
//                           207 dn_attribute_too_long, 208 dn_country,
//                           209 dn_locality_forbidden, 210 dn_st_l_missing,
//                           212 dn_duplicate, 213 dn_attribute_unsupported,
//                           214 dn_multivalued_rdn, 215 dn_attribute_repeated,
//                           216 dn_ambiguous (the last four: CSR subjects)
//   300-349 other columns   301 field_required, 302 field_must_be_empty,
//                           303 field_too_long, 304 profile_unknown,
//                           305 profile_disabled, 306 download_type_invalid,
//                           307 mail_invalid, 308 serial_invalid,
//                           309 revocation_reason_invalid,
//                           310 revocation_comment_required, 311 pin_invalid,
//                           312 serial_duplicate, 313 file_name_invalid,
//                           314 smime_mail_missing, 315 serial_unknown,
//                           316 serial_dn_mismatch, 317 already_revoked (a notice),
//                           318 renewal_pending
//   400-449 institution     400 institution_unknown, 401 domain_not_approved,
//                           402 approval_expired, 403 whois_connection_failed,
//                           404 whois_mismatch, 405 locality_mismatch,
//                           406 state_mismatch, 407 profile_not_enabled_for_institution,
//                           408 institution_mismatch
// The six institution messages (401-406) are the operator manual's text verbatim.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/error.h"

namespace inkan::policy {

struct Finding {
    std::size_t line = 0;    // 1-based; 0 = the whole file
    std::size_t column = 0;  // 1-based; 0 = no particular column
    std::string column_ja;   // e.g. "主体者DN"
    std::string column_en;   // e.g. "subject DN"
    std::string code;        // stable, e.g. "dn_duplicate"
    int service_code = 0;    // e.g. 212
    std::string message_ja;
    std::string message_en;
};

// Column names (1..15) as the service's error lines print them; 0 gives "ファイル"/"file".
std::string_view column_name_ja(std::size_t column) noexcept;
std::string_view column_name_en(std::size_t column) noexcept;

// Builds a finding from the code table. `detail_en` (optional) is appended to the
// English message; the Japanese message stays exactly the table's text.
// An unknown code is a programming error and throws inkan::Error(Internal).
Finding make_finding(std::string_view code, std::size_t line, std::size_t column,
                     std::string_view detail_en = {});

// Numeric service code of a stable code (0 if unknown).
int service_code_of(std::string_view code) noexcept;

// A finding as an error outside a request-file report (a direct CSR, a download
// re-checking its row): the same code, "English / 日本語" message. Category:
// whois_connection_failed Unavailable (try later), dn_duplicate Conflict, other
// subject and column rules (service codes below 400) InvalidInput, institution
// rules Forbidden.
Error to_error(const Finding& finding);

}  // namespace inkan::policy
