#include "policy/request_rows.h"

#include "policy/ascii.h"

namespace inkan::policy {
namespace {

constexpr std::size_t kMaxTextColumn = 64;
constexpr std::size_t kMaxMail = 254;
constexpr std::size_t kMaxComment = 256;
// 2^160 - 1
constexpr std::string_view kMaxSerial = "1461501637330902918203684832716283019655932542975";

class ColumnChecker {
  public:
    ColumnChecker(const RawRow& raw, std::vector<Finding>& findings)
        : raw_(raw), findings_(findings), start_(findings.size()) {}

    const std::string& at(std::size_t column) const { return raw_.fields[column - 1]; }
    void fail(std::string_view code, std::size_t column, std::string_view detail = {}) {
        findings_.push_back(make_finding(code, raw_.line, column, detail));
    }
    bool ok() const { return findings_.size() == start_; }

    void must_be_empty(std::size_t column) {
        if (!at(column).empty()) fail("field_must_be_empty", column);
    }
    void text(std::size_t column, bool required, std::size_t max_chars = kMaxTextColumn) {
        if (at(column).empty()) {
            if (required) fail("field_required", column);
        } else if (utf8_length(at(column)) > max_chars) {
            fail("field_too_long", column, "limit " + std::to_string(max_chars));
        }
    }
    void mail(std::size_t column, bool required) {
        if (at(column).empty()) {
            if (required) fail("field_required", column);
        } else if (!is_valid_mail(at(column))) {
            fail("mail_invalid", column);
        }
    }
    std::optional<SubjectDn> dn() {
        DnParseResult parsed = parse_subject_dn(at(1), raw_.line);
        for (auto& f : parsed.findings) findings_.push_back(std::move(f));
        return std::move(parsed.dn);
    }
    std::optional<std::string> serial(std::size_t column) {
        if (at(column).empty()) {
            fail("field_required", column);
            return std::nullopt;
        }
        auto serial = normalise_serial(at(column));
        if (!serial) fail("serial_invalid", column);
        return serial;
    }

  private:
    const RawRow& raw_;
    std::vector<Finding>& findings_;
    std::size_t start_;
};

bool is_atext(char c) {
    constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~-";
    return is_ascii_alnum(c) || kSpecials.find(c) != std::string_view::npos;
}

bool is_ldh_label(std::string_view label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return false;
    for (char c : label)
        if (!is_ascii_alnum(c) && c != '-') return false;
    return true;
}

bool is_dot_separated(std::string_view text, bool (*part_ok)(std::string_view)) {
    std::size_t start = 0;
    while (true) {
        std::size_t dot = text.find('.', start);
        std::string_view part =
            text.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (!part_ok(part)) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

bool is_local_part_atom(std::string_view atom) {
    if (atom.empty()) return false;
    for (char c : atom)
        if (!is_atext(c)) return false;
    return true;
}

std::optional<int> parse_small_int(std::string_view text) {
    if (text.empty() || text.size() > 3) return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

bool is_file_name(std::string_view name) {
    for (char c : name)
        if (!is_ascii_alnum(c) && c != '-' && c != '_' && c != '.') return false;
    return name != "." && name != "..";
}

bool is_pin(std::string_view pin) {
    if (pin.size() < 8 || pin.size() > 32) return false;
    for (char c : pin)
        if (c <= 0x20 || c >= 0x7F) return false;
    return true;
}

// Columns 1-3 and 8-15, shared by issue and renew.
// The row when there is no finding at all (also none the caller's columns got).
std::optional<IssueRow> build_request(RawRow& raw, const RowRules& rules, ColumnChecker& check) {
    std::optional<IssueRow> result;  // one return object: built in the caller's place
    auto dn = check.dn();

    const int profile = parse_small_int(check.at(2)).value_or(-1);
    if (check.at(2).empty()) {
        check.fail("field_required", 2);
    } else if (!known_profile_ids().count(profile)) {
        check.fail("profile_unknown", 2);
    } else if (!rules.enabled_profiles.count(profile)) {
        check.fail("profile_disabled", 2);
    }

    int type = parse_small_int(check.at(3)).value_or(-1);
    if (check.at(3).empty()) {
        check.fail("field_required", 3);
    } else if (type < 1 || type > 3) {
        check.fail("download_type_invalid", 3);
    }

    check.text(8, true);
    check.text(9, false);
    check.mail(10, type == 1 || type == 2);
    check.text(11, false);
    check.text(12, false);
    if (!check.at(12).empty() && utf8_length(check.at(12)) <= kMaxTextColumn &&
        !is_file_name(check.at(12)))
        check.fail("file_name_invalid", 12);
    check.text(13, false);
    check.mail(14, type == 1 || type == 3);
    // The S/MIME certificate names one mailbox: the user's. A bulk row has no
    // other recipient to fall back on that is the subscriber's own.
    if (is_smime_profile(profile) && type == 2 && check.at(14).empty())
        check.fail("smime_mail_missing", 14);
    if (!check.at(15).empty() && !is_pin(check.at(15))) check.fail("pin_invalid", 15);

    if (!check.ok()) return result;
    IssueRow& row = result.emplace();
    row.line = raw.line;
    row.dn = std::move(*dn);
    row.profile_id = profile;
    row.download_type = static_cast<DownloadType>(type);
    row.admin_name = check.at(8);
    row.admin_department = check.at(9);
    row.admin_mail = check.at(10);
    row.user_name = check.at(11);
    row.p12_file_name = check.at(12);
    row.user_department = check.at(13);
    row.user_mail = check.at(14);
    row.access_pin = SecretString(check.at(15));
    row.raw = std::move(raw.fields);
    row.raw[14].clear();
    return result;
}

}  // namespace

const char* to_string(Action action) noexcept {
    switch (action) {
        case Action::Issue:
            return "issue";
        case Action::Renew:
            return "renew";
        case Action::Revoke:
            return "revoke";
    }
    return "unknown";
}

std::optional<Action> parse_action(std::string_view text) {
    if (text == "issue" || text == "1") return Action::Issue;
    if (text == "renew" || text == "2") return Action::Renew;
    if (text == "revoke" || text == "3") return Action::Revoke;
    return std::nullopt;
}

const std::set<int>& known_profile_ids() {
    static const std::set<int> ids{4, 5, 6, 7, 13, 14, 15, 16};
    return ids;
}

std::set<int> default_enabled_profiles() { return {5, 7, 13, 14, 15, 16}; }

bool is_subscriber_revocation_reason(int reason) {
    return reason == 0 || reason == 1 || reason == 3 || reason == 4 || reason == 5;
}

bool is_smime_profile(int profile_id) {
    return profile_id == 6 || profile_id == 7 || profile_id == 15 || profile_id == 16;
}

std::optional<std::string> certificate_mail(const IssueRow& row) {
    if (!is_smime_profile(row.profile_id)) return std::nullopt;
    return !row.user_mail.empty() ? row.user_mail : row.admin_mail;
}

bool is_valid_mail(std::string_view mail) {
    if (mail.size() > kMaxMail) return false;
    std::size_t at = mail.find('@');
    if (at == std::string_view::npos || mail.find('@', at + 1) != std::string_view::npos)
        return false;
    std::string_view local = mail.substr(0, at);
    std::string_view domain = mail.substr(at + 1);
    if (local.empty() || local.size() > 64 || domain.find('.') == std::string_view::npos)
        return false;
    return is_dot_separated(local, is_local_part_atom) && is_dot_separated(domain, is_ldh_label);
}

std::optional<std::string> normalise_serial(std::string_view text) {
    if (text.empty()) return std::nullopt;
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    std::size_t first = text.find_first_not_of('0');
    if (first == std::string_view::npos) return std::nullopt;  // zero
    std::string_view digits = text.substr(first);
    if (digits.size() > kMaxSerial.size() ||
        (digits.size() == kMaxSerial.size() && digits > kMaxSerial))
        return std::nullopt;
    return std::string(digits);
}

std::optional<IssueRow> build_issue_row(RawRow&& raw, const RowRules& rules,
                                        std::vector<Finding>& findings) {
    ColumnChecker check(raw, findings);
    for (std::size_t column = 4; column <= 7; ++column) check.must_be_empty(column);
    return build_request(raw, rules, check);
}

std::optional<RenewRow> build_renew_row(RawRow&& raw, const RowRules& rules,
                                        std::vector<Finding>& findings) {
    ColumnChecker check(raw, findings);
    auto serial = check.serial(4);
    for (std::size_t column = 5; column <= 7; ++column) check.must_be_empty(column);
    auto request = build_request(raw, rules, check);
    if (!check.ok()) return std::nullopt;
    return RenewRow{std::move(*request), std::move(*serial)};
}

std::optional<RevokeRow> build_revoke_row(RawRow&& raw, std::vector<Finding>& findings) {
    ColumnChecker check(raw, findings);
    auto dn = check.dn();
    for (std::size_t column : {2, 3, 7, 8, 9, 11, 12, 13, 15}) check.must_be_empty(column);
    auto serial = check.serial(4);
    const int reason = parse_small_int(check.at(5)).value_or(-1);
    if (check.at(5).empty()) {
        check.fail("field_required", 5);
    } else if (!is_subscriber_revocation_reason(reason)) {
        check.fail("revocation_reason_invalid", 5);
    }
    if (reason == 0 && check.at(6).empty()) check.fail("revocation_comment_required", 6);
    check.text(6, false, kMaxComment);
    check.mail(10, false);
    check.mail(14, false);
    if (!check.ok()) return std::nullopt;
    RevokeRow row;
    row.line = raw.line;
    row.dn = std::move(*dn);
    row.serial = std::move(*serial);
    row.reason = static_cast<RevocationReason>(reason);
    row.comment = check.at(6);
    row.admin_mail = check.at(10);
    row.user_mail = check.at(14);
    row.raw = std::move(raw.fields);
    return row;
}

}  // namespace inkan::policy
