// The one entry point the API upload and `inkan request check` both call:
// bytes of a request file + action + error mode + context → CheckReport.
//
// Order of work: file-level checks (size, encoding, empty) → per-line shape
// (length, NUL, 15 columns) → per-row column rules → download type consistency
// (issue/renew: one download type per file, else file error download_type_mixed)
// → duplicate DN within the file (issue/renew) and against claimed DNs (valid
// certificates, pending requests; a renewal's own old certificate does not count)
// → renew rows against their old certificate (CertificateLookup: serial_unknown,
// serial_dn_mismatch when CN, OU, O or C differ, renewal_pending) → institution rules (issue/renew
// rows without any other finding; revocation is not gated on approvals) → duplicate serial within
// the file (renew/revoke). ErrorMode::Abort: any finding → no row accepted. ErrorMode::Skip: rows
// without findings are accepted, the others reported. A file-level error accepts nothing.
#pragma once

#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "policy/findings.h"
#include "policy/institution.h"
#include "policy/request_rows.h"
#include "policy/request_text.h"
#include "policy/whois.h"

namespace inkan::policy {

enum class ErrorMode { Abort, Skip };
const char* to_string(ErrorMode mode) noexcept;
std::optional<ErrorMode> parse_error_mode(std::string_view text);  // "abort" / "skip"

struct CheckContext {
    const InstitutionRegistry& registry;
    WhoisLookup& whois;
    const ExistingCertificates& existing;
    const Clock& clock;
    std::set<int> enabled_profiles = default_enabled_profiles();
    TextLimits limits{};
    // The uploader's institution: every issue/renew row's O must equal it
    // (institution_mismatch), and a revoke row's serial must be one of its
    // certificates. Unset only for an offline check without --institution.
    std::optional<std::string> institution = std::nullopt;
    // Issued certificates by serial, for renew and revoke rows: unknown serial (or
    // another institution's) → serial_unknown; revoke: DN not the certificate's →
    // serial_dn_mismatch, already revoked → the notice already_revoked (not an
    // error: the row is not accepted, the others go on); renew: CN, OU, O or C not
    // the certificate's → serial_dn_mismatch, another renewal of it pending →
    // renewal_pending (a revoked or expired certificate may be renewed). Unset
    // (an offline check): these checks are not made.
    const CertificateLookup* certificates = nullptr;
};

struct RejectedRow {
    std::size_t line = 0;
    std::vector<Finding> findings;  // sorted by column
};

struct CheckReport {
    Action action = Action::Issue;
    ErrorMode mode = ErrorMode::Abort;
    std::optional<TextEncoding> encoding;  // unset if the file was not decoded
    std::optional<Finding> file_error;
    std::vector<IssueRow> accepted_issue;     // filled for Action::Issue
    std::vector<RenewRow> accepted_renew;     // filled for Action::Renew
    std::vector<RevokeRow> accepted_revoke;   // filled for Action::Revoke
    std::vector<RejectedRow> rejected;        // every row with findings, by line
    std::vector<std::size_t> withheld_lines;  // valid rows not accepted (Abort mode)
    std::vector<Finding> notices;  // not errors: rows with nothing to do (already_revoked)

    bool has_errors() const { return file_error.has_value() || !rejected.empty(); }
    std::size_t accepted_count() const {
        return accepted_issue.size() + accepted_renew.size() + accepted_revoke.size();
    }
    // All findings, file error first, then rows by line.
    std::vector<Finding> all_findings() const;
};

CheckReport check_request_file(std::string_view bytes, Action action, ErrorMode mode,
                               const CheckContext& context);

// Rejects accepted issue/renew rows after the check, e.g. when the store, re-checking
// the duplicate-DN rule inside its transaction, found their DN claimed since: each row
// on `lines` gets the finding `code` (column 1, `detail`); in Abort mode every other
// accepted row is withheld.
void reject_accepted_lines(CheckReport& report, const std::set<std::size_t>& lines,
                           std::string_view code, std::string_view detail);

// JSON: {"action","mode","encoding","ok","accepted_count","accepted_lines",
//        "withheld_lines","file_error":finding|null,"rejected":[{"line","errors":[finding]}],
//        "notices":[finding]}
// finding:
// {"line","column","column_ja","column_en","code","service_code","message_ja","message_en"}
nlohmann::json report_to_json(const CheckReport& report);
// Text: one `code:row,field,message` line per finding (the service's shape, Japanese
// column name and message; file-level errors use row 0 unless they name a line and
// the field "ファイル"), each followed by a "  (code_name) English message" line,
// then a summary line.
std::string report_to_text(const CheckReport& report);

// `inkan request check FILE --action ... [--json]`: reads the file (refusing one over
// the size limit without reading it), checks it, prints text or JSON to `out`.
// Returns 0 if the file has no finding at all, 1 otherwise (also for unreadable files).
int run_request_check(const std::string& path, Action action, bool json,
                      const CheckContext& context, std::ostream& out,
                      ErrorMode mode = ErrorMode::Abort);

}  // namespace inkan::policy
