// The one check function: Abort vs Skip, rendering, and the CLI entry point.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "policy_world.h"
#include "tests/support/temp_dir.h"

namespace inkan::policy {
namespace {

std::string corpus(const std::string& name) {
    return test::read_binary(test::request_corpus_dir() / name);
}

TEST(PolicyCheck, AbortModeAcceptsNothingWhenAnyRowIsBad) {
    test::PolicyWorld world;
    CheckReport report = check_request_file(corpus("state_mismatch.sjis.tsv"), Action::Issue,
                                            ErrorMode::Abort, world.context());
    EXPECT_TRUE(report.has_errors());
    EXPECT_EQ(report.accepted_count(), 0u);
    ASSERT_EQ(report.rejected.size(), 1u);
    EXPECT_EQ(report.rejected[0].line, 2u);
    EXPECT_EQ(report.withheld_lines, (std::vector<std::size_t>{1, 3}));
}

TEST(PolicyCheck, SkipModeAcceptsTheValidRows) {
    test::PolicyWorld world;
    CheckReport report = check_request_file(corpus("state_mismatch.sjis.tsv"), Action::Issue,
                                            ErrorMode::Skip, world.context());
    ASSERT_EQ(report.accepted_issue.size(), 2u);
    EXPECT_EQ(report.accepted_issue[0].line, 1u);
    EXPECT_EQ(report.accepted_issue[1].line, 3u);
    EXPECT_EQ(report.accepted_issue[0].dn.st, "Tokyo");
    EXPECT_TRUE(report.withheld_lines.empty());
}

TEST(PolicyCheck, AbortModeWithACleanFileAcceptsEverything) {
    test::PolicyWorld world;
    CheckReport report = check_request_file(corpus("revoke_valid.sjis.tsv"), Action::Revoke,
                                            ErrorMode::Abort, world.context());
    ASSERT_FALSE(report.has_errors()) << report_to_text(report);
    ASSERT_EQ(report.accepted_revoke.size(), 5u);
    EXPECT_EQ(report.accepted_revoke[1].reason, RevocationReason::Unspecified);
    EXPECT_EQ(report.accepted_revoke[1].comment, "退職のため");
    EXPECT_EQ(report.accepted_revoke[4].reason, RevocationReason::CessationOfOperation);
}

TEST(PolicyCheck, FileLevelErrorAcceptsNothingEvenInSkipMode) {
    test::PolicyWorld world;
    CheckReport report = check_request_file(corpus("download_type_mixed.utf8.tsv"), Action::Issue,
                                            ErrorMode::Skip, world.context());
    ASSERT_TRUE(report.file_error);
    EXPECT_EQ(report.accepted_count(), 0u);
}

TEST(PolicyCheck, RenewRowsCarryTheOldSerialAndIgnoreTheirOwnValidCertificate) {
    test::PolicyWorld world;
    world.existing.add("CN=Taro Yamada,OU=1001,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP",
                       "1001");
    CheckReport report = check_request_file(corpus("renew_valid.utf8.tsv"), Action::Renew,
                                            ErrorMode::Abort, world.context());
    ASSERT_FALSE(report.has_errors()) << report_to_text(report);
    ASSERT_EQ(report.accepted_renew.size(), 2u);
    EXPECT_EQ(report.accepted_renew[0].old_serial, "1001");
    EXPECT_EQ(report.accepted_renew[0].request.dn.ou, std::vector<std::string>{"1001"});
}

TEST(PolicyCheck, EnabledProfilesComeFromTheContext) {
    test::PolicyWorld world;
    CheckContext context = world.context();
    context.enabled_profiles = {7};
    CheckReport report =
        check_request_file(corpus("issue_valid.utf8.tsv"), Action::Issue, ErrorMode::Skip, context);
    ASSERT_EQ(report.rejected.size(), 3u);
    EXPECT_EQ(report.rejected[0].findings[0].code, "profile_disabled");
}

TEST(PolicyCheck, ApprovalExpiryFollowsTheClock) {
    test::PolicyWorld world;
    std::string bytes = corpus("issue_valid.utf8.tsv");
    world.clock = FixedClock(*parse_date("2030-03-31"));  // last valid day
    EXPECT_FALSE(
        check_request_file(bytes, Action::Issue, ErrorMode::Abort, world.context()).has_errors());
    world.clock = FixedClock(*parse_date("2030-04-01"));
    CheckReport report = check_request_file(bytes, Action::Issue, ErrorMode::Skip, world.context());
    ASSERT_EQ(report.rejected.size(), 3u);
    EXPECT_EQ(report.rejected[0].findings[0].code, "approval_expired");
    EXPECT_EQ(report.rejected[0].findings.size(), 2u);  // admin and user mail domains
}

TEST(PolicyCheck, JsonReportHasEveryField) {
    test::PolicyWorld world;
    CheckReport report = check_request_file(corpus("dn_duplicate_existing.utf8.tsv"), Action::Issue,
                                            ErrorMode::Abort, world.context());
    nlohmann::json json = report_to_json(report);
    EXPECT_EQ(json["ok"], false);
    EXPECT_EQ(json["encoding"], "utf-8");
    EXPECT_EQ(json["mode"], "abort");
    EXPECT_EQ(json["accepted_count"], 0);
    EXPECT_EQ(json["withheld_lines"], nlohmann::json::array({1, 3}));
    const auto& error = json["rejected"][0]["errors"][0];
    EXPECT_EQ(error["code"], "dn_duplicate");
    EXPECT_EQ(error["service_code"], 212);
    EXPECT_EQ(error["line"], 2);
    EXPECT_EQ(error["column"], 1);
    EXPECT_EQ(error["column_ja"], "主体者DN");
    EXPECT_EQ(error["column_en"], "subject DN");
    EXPECT_EQ(error["message_ja"], "指定したDNはすでに存在しています。");
}

TEST(PolicyCheck, TextReportUsesTheServiceLineShape) {
    test::PolicyWorld world;
    CheckReport report = check_request_file(corpus("dn_duplicate_in_file.sjis.tsv"), Action::Issue,
                                            ErrorMode::Abort, world.context());
    std::string text = report_to_text(report);
    EXPECT_EQ(text.substr(0, text.find('\n')), "212:3,主体者DN,指定したDNはすでに存在しています。");
    EXPECT_NE(text.find("(dn_duplicate)"), std::string::npos);
}

TEST(PolicyCheck, RunRequestCheckPrintsAndReturnsTheExitCode) {
    test::PolicyWorld world;
    std::ostringstream ok_out;
    EXPECT_EQ(run_request_check((test::request_corpus_dir() / "issue_valid.sjis.tsv").string(),
                                Action::Issue, false, world.context(), ok_out),
              0);
    EXPECT_NE(ok_out.str().find("OK: action issue"), std::string::npos) << ok_out.str();

    std::ostringstream bad_out;
    EXPECT_EQ(run_request_check((test::request_corpus_dir() / "whois_mismatch.utf8.tsv").string(),
                                Action::Issue, true, world.context(), bad_out),
              1);
    auto json = nlohmann::json::parse(bad_out.str());
    EXPECT_EQ(json["rejected"][0]["errors"][0]["code"], "whois_mismatch");

    std::ostringstream missing_out;
    EXPECT_EQ(run_request_check("/nonexistent/file.tsv", Action::Issue, false, world.context(),
                                missing_out),
              1);

    test::TempDir dir;
    CheckContext small = world.context();
    small.limits.max_file_bytes = 10;
    test::write_file(dir / "big.tsv", std::string(100, 'x'));
    std::ostringstream big_out;
    EXPECT_EQ(run_request_check((dir / "big.tsv").string(), Action::Issue, false, small, big_out),
              1);
    EXPECT_EQ(big_out.str().substr(0, 4), "103:");
}

}  // namespace
}  // namespace inkan::policy
