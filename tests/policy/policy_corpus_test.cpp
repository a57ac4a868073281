// Every file of tests/data/requests/ (both encodings) against expected.tsv: a
// valid file has no finding and all rows accepted; a bad file has exactly the one
// expected finding (code, line, column), and the six institution errors carry the
// operator manual's Japanese text.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "policy_world.h"

namespace inkan::policy {
namespace {

struct Expectation {
    std::string file;
    Action action;
    std::string code;
    std::size_t line;
    std::size_t column;
};

std::vector<Expectation> load_expectations() {
    std::ifstream in(test::request_corpus_dir() / "expected.tsv");
    std::vector<Expectation> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string file, action, code, row, column;
        std::getline(fields, file, '\t');
        std::getline(fields, action, '\t');
        std::getline(fields, code, '\t');
        std::getline(fields, row, '\t');
        std::getline(fields, column, '\t');
        out.push_back({file, *parse_action(action), code, std::stoul(row), std::stoul(column)});
    }
    return out;
}

// Verbatim from the operator manual, section 1-2-3, column "エラーメッセージ".
const std::map<std::string, std::string> kManualMessages{
    {"domain_not_approved",
     "対象のドメインは許可されていないため発行できません。サービス窓口にお問い合わせください。"},
    {"approval_expired",
     "機関の証明書発行有効期限が切れています。サービス窓口にお問い合わせください。"},
    {"whois_connection_failed",
     "WHOISサーバへの接続に失敗しました。時間をおいて再度申請してください。再度申請しても接続に失敗"
     "するようでしたら、サービス窓口にお問い合わせください。"},
    {"whois_mismatch",
     "WHOISサーバに登録されている情報と一致しません。サービス窓口にお問い合わせください。"},
    {"locality_mismatch", "主体者DNのLが登録された値と一致しません。"},
    {"state_mismatch", "主体者DNのSTが登録された値と一致しません。"},
    {"dn_duplicate", "指定したDNはすでに存在しています。"},
};

void check_file(const Expectation& e, const std::string& encoding) {
    SCOPED_TRACE(e.file + "." + encoding);
    test::PolicyWorld world;
    std::string bytes =
        test::read_binary(test::request_corpus_dir() / (e.file + "." + encoding + ".tsv"));
    CheckReport report = check_request_file(bytes, e.action, ErrorMode::Skip, world.context());
    ASSERT_TRUE(report.encoding || report.file_error);
    bool non_ascii =
        std::any_of(bytes.begin(), bytes.end(), [](char c) { return (c & 0x80) != 0; });
    if (report.encoding && non_ascii) {
        EXPECT_EQ(*report.encoding, encoding == "utf8" ? TextEncoding::Utf8 : TextEncoding::Cp932);
    }
    std::vector<Finding> findings = report.all_findings();
    if (e.code == "-") {
        EXPECT_TRUE(findings.empty()) << report_to_text(report);
        EXPECT_GT(report.accepted_count(), 0u);
        return;
    }
    ASSERT_EQ(findings.size(), 1u) << report_to_text(report);
    const Finding& f = findings.front();
    EXPECT_EQ(f.code, e.code);
    EXPECT_EQ(f.line, e.line);
    EXPECT_EQ(f.column, e.column);
    EXPECT_EQ(f.service_code, service_code_of(e.code));
    EXPECT_FALSE(f.message_ja.empty());
    EXPECT_FALSE(f.message_en.empty());
    if (auto it = kManualMessages.find(e.code); it != kManualMessages.end()) {
        EXPECT_EQ(f.message_ja, it->second);
    }
    // Skip mode: every other row of the file is accepted (file-level errors accept none).
    if (e.line != 0) {
        EXPECT_GT(report.accepted_count(), 0u);
    }
    // The service's error line shape.
    std::string expected_line = std::to_string(f.service_code) + ":" + std::to_string(e.line) +
                                "," + std::string(column_name_ja(e.column)) + "," + f.message_ja;
    EXPECT_NE(report_to_text(report).find(expected_line), std::string::npos)
        << report_to_text(report);
}

TEST(PolicyCorpus, ManifestCoversEveryColumnRuleAndTheSixInstitutionErrors) {
    std::set<std::string> codes;
    for (const auto& e : load_expectations()) codes.insert(e.code);
    for (const char* code : {"dn_required",
                             "dn_too_long",
                             "dn_syntax",
                             "dn_order",
                             "dn_attribute_missing",
                             "dn_chars",
                             "dn_attribute_too_long",
                             "dn_country",
                             "dn_locality_forbidden",
                             "dn_st_l_missing",
                             "dn_duplicate",
                             "field_required",
                             "field_must_be_empty",
                             "field_too_long",
                             "profile_unknown",
                             "profile_disabled",
                             "download_type_invalid",
                             "download_type_mixed",
                             "mail_invalid",
                             "serial_invalid",
                             "serial_duplicate",
                             "revocation_reason_invalid",
                             "revocation_comment_required",
                             "pin_invalid",
                             "file_name_invalid",
                             "column_count",
                             "institution_unknown",
                             "profile_not_enabled_for_institution",
                             "domain_not_approved",
                             "approval_expired",
                             "whois_connection_failed",
                             "whois_mismatch",
                             "locality_mismatch",
                             "state_mismatch"})
        EXPECT_TRUE(codes.count(code)) << code;
}

TEST(PolicyCorpus, Utf8FilesGiveExactlyTheExpectedFinding) {
    auto expectations = load_expectations();
    ASSERT_GT(expectations.size(), 60u);
    for (const auto& e : expectations) check_file(e, "utf8");
}

TEST(PolicyCorpus, ShiftJisFilesGiveExactlyTheExpectedFinding) {
    for (const auto& e : load_expectations()) check_file(e, "sjis");
}

TEST(PolicyCorpus, ShiftJisAndUtf8DecodeToTheSameRows) {
    test::PolicyWorld world;
    auto utf8 =
        check_request_file(test::read_binary(test::request_corpus_dir() / "issue_valid.utf8.tsv"),
                           Action::Issue, ErrorMode::Abort, world.context());
    auto sjis =
        check_request_file(test::read_binary(test::request_corpus_dir() / "issue_valid.sjis.tsv"),
                           Action::Issue, ErrorMode::Abort, world.context());
    ASSERT_EQ(utf8.accepted_issue.size(), 3u);
    ASSERT_EQ(sjis.accepted_issue.size(), 3u);
    EXPECT_EQ(*sjis.encoding, TextEncoding::Cp932);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(utf8.accepted_issue[i].raw, sjis.accepted_issue[i].raw);
        EXPECT_EQ(sjis.accepted_issue[i].admin_name, "山田 太郎");
        EXPECT_EQ(sjis.accepted_issue[i].admin_department, "情報基盤センター");
    }
    EXPECT_EQ(sjis.accepted_issue[2].access_pin.str(), "Pin-12345678");
    EXPECT_TRUE(sjis.accepted_issue[2].raw[14].empty());  // the PIN is not kept in the raw copy
}

}  // namespace
}  // namespace inkan::policy
