// Typed request rows and the per-column rules that build them from RawRows.
//
// Column rules (1-based columns; request-files.md plus Inkan's decisions):
//   issue  1 DN (subject_dn.h) · 2 profile id (known, enabled) · 3 download type 1/2/3 ·
//          4-7 empty · 8 admin name required ≤ 64 · 9 ≤ 64 · 10 admin mail ·
//          11 ≤ 64 · 12 P12 file name ≤ 64 [A-Za-z0-9._-] · 13 ≤ 64 · 14 user mail ·
//          15 optional access PIN, 8-32 printable ASCII without spaces.
//          S/MIME profiles with download type 2 (bulk) need column 14 (smime_mail_missing).
//          Mail 10 is required for download types 1 and 2 (it receives the PIN or the
//          bulk retrieval mail), mail 14 for types 1 and 3 (retrieval mail to the user).
//   renew  as issue, but 4 = serial of the certificate replaced; 5-7 empty.
//   revoke 1 DN · 4 serial · 5 reason · 6 comment (required when reason 0, ≤ 256) ·
//          10/14 optional mails · all other columns empty.
// Serial: decimal digits only, > 0, < 2^160 (leading zeros allowed, dropped).
// Revocation reasons a subscriber may ask for (RFC 5280 CRLReason): 0 unspecified,
// 1 keyCompromise, 3 affiliationChanged, 4 superseded, 5 cessationOfOperation.
// Rejected: 2 cACompromise (a CA matter), 6 certificateHold and 8 removeFromCRL
// (holds are not offered), 9 privilegeWithdrawn, 10 aACompromise, anything else.
// Mail: local@domain, local part of RFC 5322 atext with single dots, domain of at
// least two LDH labels, ≤ 254 characters.
#pragma once

#include <array>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/secret.h"
#include "policy/findings.h"
#include "policy/request_text.h"
#include "policy/subject_dn.h"

namespace inkan::policy {

enum class Action { Issue = 1, Renew = 2, Revoke = 3 };
const char* to_string(Action action) noexcept;
std::optional<Action> parse_action(
    std::string_view text);  // "issue"/"renew"/"revoke" or "1"/"2"/"3"

enum class DownloadType { P12Individual = 1, P12Bulk = 2, Browser = 3 };

enum class RevocationReason {
    Unspecified = 0,
    KeyCompromise = 1,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
};

// Profile ids the service defines; 4 and 6 (SHA-1) are retired but known.
const std::set<int>& known_profile_ids();
// The default enabled set: 5, 7, 13, 14, 15, 16.
std::set<int> default_enabled_profiles();
// The reasons a subscriber may ask for (see RevocationReason): 0, 1, 3, 4, 5.
bool is_subscriber_revocation_reason(int reason);
// S/MIME profiles (6, 7, 15, 16): the certificate carries an rfc822Name.
bool is_smime_profile(int profile_id);

struct IssueRow {
    std::size_t line = 0;
    SubjectDn dn;
    int profile_id = 0;
    DownloadType download_type = DownloadType::P12Individual;
    std::string admin_name, admin_department, admin_mail;
    std::string user_name, p12_file_name, user_department, user_mail;
    SecretString access_pin;                    // empty if the file gave none
    std::array<std::string, kColumnCount> raw;  // column 15 blanked (the PIN lives in access_pin)
};

struct RenewRow {
    IssueRow request;        // columns as in an issue row
    std::string old_serial;  // decimal, no leading zeros
};

struct RevokeRow {
    std::size_t line = 0;
    SubjectDn dn;
    std::string serial;  // decimal, no leading zeros
    RevocationReason reason = RevocationReason::Unspecified;
    std::string comment;
    std::string admin_mail, user_mail;
    std::array<std::string, kColumnCount> raw;
};

struct RowRules {
    std::set<int> enabled_profiles = default_enabled_profiles();
};

// Column checks of one row. Each returns the typed row when there is no finding;
// findings are appended to `findings` (one per failing column, in column order).
// The typed row takes `raw`'s fields (raw is left in a valid, unspecified state).
std::optional<IssueRow> build_issue_row(RawRow&& raw, const RowRules& rules,
                                        std::vector<Finding>& findings);
std::optional<RenewRow> build_renew_row(RawRow&& raw, const RowRules& rules,
                                        std::vector<Finding>& findings);
std::optional<RevokeRow> build_revoke_row(RawRow&& raw, std::vector<Finding>& findings);

// The mailbox an S/MIME certificate of this row names (SAN rfc822Name): the
// user's mail (column 14), else the subscriber admin's (column 10; individual
// and browser rows, whose column 14 is required anyway). nullopt for other profiles.
std::optional<std::string> certificate_mail(const IssueRow& row);

// Helpers, public for the institution rules and tests.
bool is_valid_mail(std::string_view mail);
std::optional<std::string> normalise_serial(std::string_view text);  // nullopt if invalid

}  // namespace inkan::policy
