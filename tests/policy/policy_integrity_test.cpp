// Issue 7 rules in policy/: the uploader's institution only, the S/MIME mailbox's
// domain, CSR subjects given as RDNs, and rows rejected after the check.
#include <gtest/gtest.h>

#include "policy/institution_rules.h"
#include "policy/subject_dn.h"
#include "policy_world.h"

namespace inkan::policy {
namespace {

// One issue row of 15 columns for "Example University".
std::string row(const std::string& o, const std::string& cn, int profile, int type,
                const std::string& admin_mail, const std::string& user_mail) {
    std::string dn = "CN=" + cn + ",O=" + o + ",L=Chiyoda-ku,ST=Tokyo,C=JP";
    std::vector<std::string> f = {dn,
                                  std::to_string(profile),
                                  std::to_string(type),
                                  "",
                                  "",
                                  "",
                                  "",
                                  "Admin",
                                  "",
                                  admin_mail,
                                  "User",
                                  "",
                                  "",
                                  user_mail,
                                  ""};
    std::string line;
    for (std::size_t i = 0; i < f.size(); ++i) line += (i ? "\t" : "") + f[i];
    return line + "\n";
}

std::vector<std::string> codes_of(const CheckReport& report) {
    std::vector<std::string> codes;
    for (const auto& f : report.all_findings())
        codes.push_back(f.code + "@" + std::to_string(f.column));
    return codes;
}

TEST(PolicyIntegrity, RowsNamingAnotherInstitutionAreRefusedBeforeAnyOtherInstitutionRule) {
    test::PolicyWorld world;
    Institution other = test::example_university();
    other.name = "Other University";  // registered, same WHOIS names, same domains
    world.registry.put(other);
    CheckContext context = world.context();
    context.institution = "Example University";
    auto report = check_request_file(
        row("Other University", "Taro", 5, 1, "a@example.ac.jp", "t@example.ac.jp"), Action::Issue,
        ErrorMode::Abort, context);
    EXPECT_EQ(codes_of(report), std::vector<std::string>{"institution_mismatch@1"});
    auto f = report.all_findings().front();
    EXPECT_EQ(f.service_code, 408);
    EXPECT_NE(f.message_ja.find("機関"), std::string::npos);
    EXPECT_NE(f.message_en.find("your institution"), std::string::npos);
    // The same row from its own institution passes; without an uploader (offline
    // check without --institution) the rule is not applied.
    context.institution = "Other University";
    EXPECT_FALSE(check_request_file(
                     row("Other University", "Taro", 5, 1, "a@example.ac.jp", "t@example.ac.jp"),
                     Action::Issue, ErrorMode::Abort, context)
                     .has_errors());
}

TEST(PolicyIntegrity, SmimeMailboxDomainMustBeApproved) {
    test::PolicyWorld world;
    CheckContext context = world.context();
    context.institution = "Example University";
    // Client-auth rows with a person's CN: the mails' domains are checked anyway.
    // S/MIME with a host CN: column 14's domain is checked too.
    auto outside = check_request_file(row("Example University", "host.example.ac.jp", 7, 1,
                                          "a@example.ac.jp", "someone@gmail.com"),
                                      Action::Issue, ErrorMode::Abort, context);
    EXPECT_EQ(codes_of(outside), std::vector<std::string>{"domain_not_approved@14"});
    // Client auth with the same columns: column 14 names no certificate mailbox.
    EXPECT_FALSE(check_request_file(row("Example University", "host.example.ac.jp", 5, 1,
                                        "a@example.ac.jp", "someone@gmail.com"),
                                    Action::Issue, ErrorMode::Abort, context)
                     .has_errors());
    // With column 14 given, column 10 names no certificate mailbox (a host CN: not checked).
    auto fallback = check_request_file(
        row("Example University", "host.example.ac.jp", 7, 2, "admin@other.jp", "u@example.ac.jp"),
        Action::Issue, ErrorMode::Abort, context);
    EXPECT_FALSE(fallback.has_errors()) << testing::PrintToString(codes_of(fallback));
    // Bulk S/MIME without column 14: no mailbox of the subscriber's own.
    auto bulk = check_request_file(row("Example University", "Taro", 7, 2, "a@example.ac.jp", ""),
                                   Action::Issue, ErrorMode::Abort, context);
    EXPECT_EQ(codes_of(bulk), std::vector<std::string>{"smime_mail_missing@14"});
}

TEST(PolicyIntegrity, CertificateMailIsColumn14ElseColumn10ForSmimeOnly) {
    IssueRow r;
    r.profile_id = 7;
    r.admin_mail = "admin@example.ac.jp";
    EXPECT_EQ(certificate_mail(r), "admin@example.ac.jp");
    r.user_mail = "user@example.ac.jp";
    EXPECT_EQ(certificate_mail(r), "user@example.ac.jp");
    r.profile_id = 5;
    EXPECT_EQ(certificate_mail(r), std::nullopt);
}

std::vector<Rdn> rdns(std::initializer_list<std::pair<const char*, const char*>> attributes) {
    std::vector<Rdn> out;
    for (const auto& [type, value] : attributes) out.push_back({{type, value}});
    return out;
}

TEST(PolicyIntegrity, SubjectFromRdnsNormalisesOrderAndRefusesWhatTheRowFormCannotSay) {
    // DER order (C first), two OUs: the row form lists the OU nearest the CN first.
    auto ok = subject_dn_from_rdns(rdns({{"C", "JP"},
                                         {"ST", "Tokyo"},
                                         {"L", "Chiyoda-ku"},
                                         {"O", "Example University"},
                                         {"OU", "Faculty"},
                                         {"OU", "Lab"},
                                         {"CN", "Taro Yamada"}}),
                                   1);
    ASSERT_TRUE(ok.dn) << ok.findings.front().code;
    EXPECT_EQ(ok.dn->to_string(),
              "CN=Taro Yamada,OU=Lab,OU=Faculty,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP");
    // Reverse order gives the same DN but the OU order follows the RDNs.
    auto reversed = subject_dn_from_rdns(
        rdns(
            {{"CN", "Taro Yamada"}, {"O", "Example University"}, {"L", "Chiyoda-ku"}, {"C", "JP"}}),
        1);
    ASSERT_TRUE(reversed.dn);
    EXPECT_EQ(reversed.dn->to_string(), "CN=Taro Yamada,O=Example University,L=Chiyoda-ku,C=JP");

    auto code = [](const std::vector<Rdn>& r) {
        auto result = subject_dn_from_rdns(r, 1);
        return result.findings.empty() ? std::string("ok") : result.findings.front().code;
    };
    const auto base = rdns({{"C", "JP"}, {"L", "Chiyoda-ku"}, {"O", "Example University"}});
    auto with = [&](std::initializer_list<std::pair<const char*, const char*>> extra) {
        auto r = base;
        for (const auto& [type, value] : extra) r.push_back({{type, value}});
        return r;
    };
    EXPECT_EQ(code(with({{"CN", "a.example.ac.jp"}})), "ok");
    for (const char* type : {"DC", "UID", "serialNumber", "emailAddress", "2.5.4.99"}) {
        EXPECT_EQ(code(with({{type, "x"}, {"CN", "a.example.ac.jp"}})), "dn_attribute_unsupported")
            << type;
    }
    EXPECT_EQ(code(with({{"CN", "a"}, {"CN", "b"}})), "dn_attribute_repeated");
    EXPECT_EQ(code(with({{"O", "Other"}, {"CN", "a"}})), "dn_attribute_repeated");
    auto multi = with({});
    multi.push_back({{"CN", "a.example.ac.jp"}, {"OU", "x"}});
    EXPECT_EQ(code(multi), "dn_multivalued_rdn");
    // Values that would read as separators in the row form.
    EXPECT_EQ(code(with({{"CN", "x,O=Other University"}})), "dn_ambiguous");
    EXPECT_EQ(code(with({{"OU", "a,OU=b"}, {"CN", "x"}})), "dn_ambiguous");
    // A comma that is not followed by a type stays part of the CN, as in request files.
    EXPECT_EQ(code(with({{"CN", "Yamada, Taro"}})), "ok");
    // The row rules still apply.
    EXPECT_EQ(
        code(rdns({{"C", "US"}, {"L", "Chiyoda-ku"}, {"O", "Example University"}, {"CN", "a"}})),
        "dn_country");
}

TEST(PolicyIntegrity, RowsRejectedAfterTheCheckMoveToTheReport) {
    test::PolicyWorld world;
    std::string file;
    for (const char* cn : {"a.example.ac.jp", "b.example.ac.jp", "c.example.ac.jp"})
        file += row("Example University", cn, 5, 1, "x@example.ac.jp", "y@example.ac.jp");
    auto skip = check_request_file(file, Action::Issue, ErrorMode::Skip, world.context());
    ASSERT_EQ(skip.accepted_issue.size(), 3u);
    reject_accepted_lines(skip, {2}, "dn_duplicate", "a pending request has this DN");
    ASSERT_EQ(skip.accepted_issue.size(), 2u);
    ASSERT_EQ(skip.rejected.size(), 1u);
    EXPECT_EQ(skip.rejected[0].line, 2u);
    EXPECT_EQ(skip.rejected[0].findings[0].service_code, 212);

    auto abort = check_request_file(file, Action::Issue, ErrorMode::Abort, world.context());
    reject_accepted_lines(abort, {3}, "dn_duplicate", "");
    EXPECT_TRUE(abort.accepted_issue.empty());
    EXPECT_EQ(abort.withheld_lines, (std::vector<std::size_t>{1, 2}));
    EXPECT_TRUE(abort.has_errors());
}

}  // namespace
}  // namespace inkan::policy
