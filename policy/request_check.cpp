#include "policy/request_check.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "policy/ascii.h"
#include "policy/institution_rules.h"

namespace inkan::policy {
namespace {

struct RowState {
    std::size_t line = 0;
    std::vector<Finding> findings;
    std::optional<IssueRow> issue;      // issue, or the request part of a renewal
    std::optional<std::string> serial;  // renew: old serial, revoke: serial
    std::optional<RevokeRow> revoke;
};

const SubjectDn* dn_of(const RowState& row) {
    if (row.issue) return &row.issue->dn;
    if (row.revoke) return &row.revoke->dn;
    return nullptr;
}

void check_download_types(const std::vector<RawRow>& rows, CheckReport& report) {
    unsigned types = 0;  // bit n: download type n seen
    for (const RawRow& raw : rows) {
        const std::string& type = raw.fields[2];
        if (type.size() == 1 && type[0] >= '1' && type[0] <= '3') types |= 1u << (type[0] - '0');
    }
    if (types != 0 && (types & (types - 1)) != 0)
        report.file_error = make_finding("download_type_mixed", 0, 3);
}

// DNs compare case-insensitively (RFC 5280 caseIgnoreMatch; DN values are ASCII).
std::string dn_key(std::string_view dn_text) {
    std::string key(dn_text);
    for (char& c : key) c = ascii_lower(c);
    return key;
}

void check_duplicates(std::vector<RowState>& rows, Action action, const CheckContext& context) {
    std::unordered_map<std::string, std::size_t> first_dn;
    std::unordered_map<std::string, std::size_t> first_serial;
    first_dn.reserve(rows.size());
    first_serial.reserve(rows.size());
    for (RowState& row : rows) {
        if (const SubjectDn* dn = dn_of(row); dn && action != Action::Revoke) {
            std::string text = dn->to_string();
            auto [it, inserted] = first_dn.emplace(dn_key(text), row.line);
            if (!inserted) {
                row.findings.push_back(make_finding(
                    "dn_duplicate", row.line, 1, "same DN as line " + std::to_string(it->second)));
            } else if (row.findings.empty() &&
                       (action == Action::Issue
                            ? context.existing.has_valid_certificate_with_subject(text)
                            : context.existing.subject_claimed_besides(text, *row.serial))) {
                row.findings.push_back(
                    make_finding("dn_duplicate", row.line, 1,
                                 "a valid certificate or a pending request has this DN"));
            }
        }
        if (row.serial) {
            auto [it, inserted] = first_serial.emplace(*row.serial, row.line);
            if (!inserted)
                row.findings.push_back(
                    make_finding("serial_duplicate", row.line, 4,
                                 "same serial as line " + std::to_string(it->second)));
        }
    }
}

// The certificate a renew/revoke row's serial names, if it is one of the
// operator's institution; else the finding serial_unknown.
std::optional<KnownCertificate> own_certificate(const std::string& serial, std::size_t line,
                                                const CheckContext& context,
                                                std::vector<Finding>& findings) {
    auto known = context.certificates->find_by_serial(serial);
    if (!known || (context.institution && known->institution != *context.institution)) {
        findings.push_back(make_finding("serial_unknown", line, 4, serial));
        return std::nullopt;
    }
    return known;
}

// A renewal keeps the subject: CN, OU (all, in order), O and C as the old
// certificate has them; L and ST may differ (the institution's registered values
// may have changed since). A revoked or expired old certificate may be renewed.
void check_renewal(const IssueRow& row, const std::string& old_serial, const CheckContext& context,
                   std::vector<Finding>& findings) {
    auto known = own_certificate(old_serial, row.line, context, findings);
    if (!known) return;
    DnParseResult old_dn = parse_subject_dn(known->subject, row.line);
    const SubjectDn& dn = row.dn;
    if (!old_dn.dn || old_dn.dn->cn != dn.cn || old_dn.dn->ou != dn.ou || old_dn.dn->o != dn.o ||
        old_dn.dn->c != dn.c) {
        findings.push_back(make_finding(
            "serial_dn_mismatch", row.line, 1,
            known->subject + " (a renewal keeps CN, OU, O and C; a new DN is a new issuance)"));
        return;
    }
    if (known->renewal_pending)
        findings.push_back(make_finding("renewal_pending", row.line, 4, old_serial));
}

// A revoke row against the certificate its serial names. Returns the notice
// already_revoked when there is nothing to do; appends errors to `findings`.
std::optional<Finding> check_revocation(const RevokeRow& row, const CheckContext& context,
                                        std::vector<Finding>& findings) {
    auto known = own_certificate(row.serial, row.line, context, findings);
    if (!known) return std::nullopt;
    if (known->subject != row.dn.to_string()) {
        findings.push_back(make_finding("serial_dn_mismatch", row.line, 1, known->subject));
        return std::nullopt;
    }
    if (known->revoked) return make_finding("already_revoked", row.line, 4, row.serial);
    return std::nullopt;
}

}  // namespace

const char* to_string(ErrorMode mode) noexcept {
    return mode == ErrorMode::Abort ? "abort" : "skip";
}

std::optional<ErrorMode> parse_error_mode(std::string_view text) {
    if (text == "abort") return ErrorMode::Abort;
    if (text == "skip") return ErrorMode::Skip;
    return std::nullopt;
}

std::vector<Finding> CheckReport::all_findings() const {
    std::vector<Finding> all;
    if (file_error) all.push_back(*file_error);
    for (const RejectedRow& row : rejected)
        all.insert(all.end(), row.findings.begin(), row.findings.end());
    return all;
}

CheckReport check_request_file(std::string_view bytes, Action action, ErrorMode mode,
                               const CheckContext& context) {
    CheckReport report;
    report.action = action;
    report.mode = mode;
    RequestText text = split_request_text(bytes, context.limits);
    if (text.file_error) {
        report.file_error = std::move(text.file_error);
        return report;
    }
    report.encoding = text.encoding;
    if (action != Action::Revoke) {
        check_download_types(text.rows, report);
        if (report.file_error) return report;
    }

    // Rows by line: the lines rejected before field checks merged with the split
    // rows (each list is in line order already).
    std::vector<RowState> rows;
    rows.reserve(text.line_errors.size() + text.rows.size());
    RowRules rules{context.enabled_profiles};
    auto line_error = text.line_errors.begin();
    auto add_line_errors_before = [&](std::size_t line) {
        for (; line_error != text.line_errors.end() && line_error->line < line; ++line_error) {
            RowState& row = rows.emplace_back();
            row.line = line_error->line;
            row.findings.push_back(std::move(*line_error));
        }
    };
    for (RawRow& raw : text.rows) {
        add_line_errors_before(raw.line);
        RowState& row = rows.emplace_back();
        row.line = raw.line;
        if (action == Action::Issue) {
            row.issue = build_issue_row(std::move(raw), rules, row.findings);
        } else if (action == Action::Renew) {
            if (auto renew = build_renew_row(std::move(raw), rules, row.findings)) {
                row.issue = std::move(renew->request);
                row.serial = std::move(renew->old_serial);
            }
        } else if ((row.revoke = build_revoke_row(std::move(raw), row.findings))) {
            row.serial = row.revoke->serial;
        }
    }
    add_line_errors_before(std::numeric_limits<std::size_t>::max());

    if (context.certificates && action == Action::Renew) {
        for (RowState& row : rows)
            if (row.issue && row.findings.empty())
                check_renewal(*row.issue, *row.serial, context, row.findings);
    }
    check_duplicates(rows, action, context);
    InstitutionContext institutions{context.registry, context.whois, context.clock,
                                    context.institution};
    for (RowState& row : rows)
        if (row.issue && row.findings.empty())
            check_institution_rules(*row.issue, institutions, row.findings);
    std::set<std::size_t> nothing_to_do;
    if (context.certificates) {
        for (RowState& row : rows) {
            if (!row.revoke || !row.findings.empty()) continue;
            if (auto notice = check_revocation(*row.revoke, context, row.findings)) {
                report.notices.push_back(std::move(*notice));
                nothing_to_do.insert(row.line);
            }
        }
    }

    bool any_error = std::any_of(rows.begin(), rows.end(),
                                 [](const RowState& r) { return !r.findings.empty(); });
    if (!any_error || mode == ErrorMode::Skip) {
        if (action == Action::Issue) report.accepted_issue.reserve(rows.size());
        if (action == Action::Renew) report.accepted_renew.reserve(rows.size());
        if (action == Action::Revoke) report.accepted_revoke.reserve(rows.size());
    }
    for (RowState& row : rows) {
        if (!row.findings.empty()) {
            std::stable_sort(
                row.findings.begin(), row.findings.end(),
                [](const Finding& a, const Finding& b) { return a.column < b.column; });
            report.rejected.push_back(RejectedRow{row.line, std::move(row.findings)});
        } else if (nothing_to_do.count(row.line)) {
            continue;
        } else if (mode == ErrorMode::Abort && any_error) {
            report.withheld_lines.push_back(row.line);
        } else if (action == Action::Issue) {
            report.accepted_issue.push_back(std::move(*row.issue));
        } else if (action == Action::Renew) {
            report.accepted_renew.push_back(
                RenewRow{std::move(*row.issue), std::move(*row.serial)});
        } else {
            report.accepted_revoke.push_back(std::move(*row.revoke));
        }
    }
    return report;
}

namespace {

template <typename Row>
void move_rejected(std::vector<Row>& rows, const std::set<std::size_t>& lines,
                   std::string_view code, std::string_view detail, CheckReport& report,
                   const std::size_t& (*line_of)(const Row&)) {
    std::vector<Row> kept;
    for (Row& row : rows) {
        const std::size_t line = line_of(row);
        if (lines.count(line)) {
            report.rejected.push_back(RejectedRow{line, {make_finding(code, line, 1, detail)}});
        } else {
            kept.push_back(std::move(row));
        }
    }
    rows = std::move(kept);
    if (report.mode == ErrorMode::Abort && !report.rejected.empty()) {
        for (const Row& row : rows) report.withheld_lines.push_back(line_of(row));
        rows.clear();
    }
}

const std::size_t& issue_line(const IssueRow& row) { return row.line; }
const std::size_t& renew_line(const RenewRow& row) { return row.request.line; }

}  // namespace

void reject_accepted_lines(CheckReport& report, const std::set<std::size_t>& lines,
                           std::string_view code, std::string_view detail) {
    move_rejected(report.accepted_issue, lines, code, detail, report, &issue_line);
    move_rejected(report.accepted_renew, lines, code, detail, report, &renew_line);
    auto by_line = [](const auto& a, const auto& b) { return a.line < b.line; };
    std::sort(report.rejected.begin(), report.rejected.end(), by_line);
    std::sort(report.withheld_lines.begin(), report.withheld_lines.end());
}

}  // namespace inkan::policy
