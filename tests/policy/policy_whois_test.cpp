// WHOIS against a real server on loopback: right organisation, wrong
// organisation, a JPRS record's Japanese and English names, connection refused,
// timeout, garbage; parser and cache.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "policy/institution_rules.h"
#include "policy_world.h"

namespace inkan::policy {
namespace {

using namespace std::chrono_literals;

// A JPRS domain record as whois.jprs.jp sends it (UTF-8 here, ISO-2022-JP on the
// wire): the Japanese organisation name comes before the English one.
const std::string kTodaiRecord =
    "[ JPRS database provides information on network administration. Its use is    ]\r\n"
    "[ restricted to network administration purposes. For further information,     ]\r\n"
    "[ use 'whois -h whois.jprs.jp help'. To suppress Japanese output, add'/e'     ]\r\n"
    "[ at the end of command, e.g. 'whois -h whois.jprs.jp xxx/e'.                 ]\r\n"
    "\r\n"
    "Domain Information: [ドメイン情報]\r\n"
    "a. [ドメイン名]                 U-TOKYO.AC.JP\r\n"
    "e. [そしきめい]                 とうきょうだいがく\r\n"
    "f. [組織名]                     東京大学\r\n"
    "g. [Organization]               The University of Tokyo\r\n"
    "k. [組織種別]                   大学\r\n"
    "l. [Organization Type]          University\r\n"
    "m. [登録担当者]                 KS123JP\r\n"
    "n. [技術連絡担当者]             KS123JP\r\n"
    "p. [ネームサーバ]               dns1.nc.u-tokyo.ac.jp\r\n"
    "[状態]                          Connected (2027/03/31)\r\n"
    "[登録年月日]                    1991/01/01\r\n"
    "[接続年月日]                    1991/01/01\r\n"
    "[最終更新]                      2026/04/01 01:05:12 (JST)\r\n";

// A JPRS record whose organisation fields are missing (as in a truncated answer).
const std::string kNoOrganisationRecord =
    "Domain Information: [ドメイン情報]\r\n"
    "a. [ドメイン名]                 NOORG.AC.JP\r\n"
    "[状態]                          Connected (2027/03/31)\r\n";

WhoisConfig loopback_config(int port) {
    WhoisConfig config;
    config.servers["jp"] = WhoisServer{"127.0.0.1", port};
    config.connect_timeout = 300ms;
    config.read_timeout = 300ms;
    return config;
}

std::vector<Finding> institution_findings(
    const std::string& cn, WhoisLookup& whois,
    std::optional<std::vector<std::string>> whois_names = std::nullopt) {
    InMemoryInstitutionRegistry registry;
    Institution inst = test::example_university();
    if (whois_names) inst.whois_names = *whois_names;
    inst.domains.push_back({"right.ac.jp", *parse_date("2030-03-31")});
    inst.domains.push_back({"wrong.ac.jp", *parse_date("2030-03-31")});
    inst.domains.push_back({"slow.ac.jp", *parse_date("2030-03-31")});
    inst.domains.push_back({"junk.ac.jp", *parse_date("2030-03-31")});
    inst.domains.push_back({"u-tokyo.ac.jp", *parse_date("2030-03-31")});
    inst.domains.push_back({"noorg.ac.jp", *parse_date("2030-03-31")});
    registry.put(inst);
    FixedClock clock(*parse_date("2026-04-01"));
    std::vector<Finding> findings;
    check_institution_rules(test::issue_row(cn, "Example University", 4),
                            InstitutionContext{registry, whois, clock}, findings);
    return findings;
}

class PolicyWhois : public ::testing::Test {
  protected:
    PolicyWhois() : client(loopback_config(server.port())) {
        server.answer("right.ac.jp",
                      test::to_iso2022jp(test::jprs_answer_utf8(
                          "RIGHT.AC.JP", "国立大学法人 例示大学", "Example University")));
        server.answer("wrong.ac.jp", "Registrant Organization: Gakko Hojin Other Gakuen\r\n");
        server.hang("slow.ac.jp");
        server.answer("junk.ac.jp", "\x01\x02garbage \xff\xfe no organisation here\n");
        server.answer("u-tokyo.ac.jp", test::to_iso2022jp(kTodaiRecord));
        server.answer("noorg.ac.jp", test::to_iso2022jp(kNoOrganisationRecord));
    }
    test::LoopbackWhoisServer server;
    TcpWhoisClient client;
};

TEST_F(PolicyWhois, RightOrganisationPassesAndTheQueryIsRfc3912) {
    WhoisAnswer answer = client.lookup("right.ac.jp");
    ASSERT_EQ(answer.status, WhoisAnswer::Status::Found) << answer.detail;
    EXPECT_EQ(answer.organisations,
              (std::vector<std::string>{"国立大学法人 例示大学", "Example University"}));
    EXPECT_EQ(server.queried_lines(), std::vector<std::string>{"right.ac.jp\r\n"});
    EXPECT_TRUE(institution_findings("www.right.ac.jp", client).empty());
}

TEST_F(PolicyWhois, WrongOrganisationIsWhoisMismatch) {
    WhoisAnswer answer = client.lookup("wrong.ac.jp");
    ASSERT_EQ(answer.status, WhoisAnswer::Status::Found);
    EXPECT_EQ(answer.organisations, std::vector<std::string>{"Gakko Hojin Other Gakuen"});
    auto findings = institution_findings("www.wrong.ac.jp", client);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "whois_mismatch");
    EXPECT_EQ(findings[0].line, 4u);
    EXPECT_EQ(findings[0].column, 1u);
    EXPECT_EQ(
        findings[0].message_ja,
        "WHOISサーバに登録されている情報と一致しません。サービス窓口にお問い合わせください。");
}

TEST_F(PolicyWhois, JprsRecordGivesTheJapaneseThenTheEnglishName) {
    WhoisAnswer answer = client.lookup("u-tokyo.ac.jp");
    ASSERT_EQ(answer.status, WhoisAnswer::Status::Found) << answer.detail;
    EXPECT_EQ(answer.organisations,
              (std::vector<std::string>{"東京大学", "The University of Tokyo"}));
}

TEST_F(PolicyWhois, InstitutionRegisteredOnlyInEnglishPassesThoughTheJapaneseNameComesFirst) {
    EXPECT_TRUE(
        institution_findings("www.u-tokyo.ac.jp", client, {{"The University of Tokyo"}}).empty());
}

TEST_F(PolicyWhois, InstitutionRegisteredOnlyInJapanesePasses) {
    EXPECT_TRUE(institution_findings("www.u-tokyo.ac.jp", client, {{"東京大学"}}).empty());
}

TEST_F(PolicyWhois, InstitutionRegisteredWithNeitherNameIsWhoisMismatch) {
    auto findings = institution_findings("www.u-tokyo.ac.jp", client,
                                         {{"東京工業大学", "Tokyo Institute of Technology"}});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "whois_mismatch");
    EXPECT_EQ(findings[0].service_code, 404);
    EXPECT_EQ(findings[0].column, 1u);
    EXPECT_TRUE(findings[0].message_en.ends_with(" (u-tokyo.ac.jp)")) << findings[0].message_en;
}

TEST_F(PolicyWhois, FullWidthCaseAndWhitespaceVariantsOfARegisteredNameMatch) {
    for (const std::string& registered :
         {std::string("ＴＨＥ　ＵＮＩＶＥＲＳＩＴＹ　ＯＦ　ＴＯＫＹＯ"),
          std::string("the university of tokyo"), std::string("  The\tUniversity   of  Tokyo "),
          std::string("Ｔｈｅ Ｕｎｉｖｅｒｓｉｔｙ of TOKYO"),
          std::string("\u3000東京大学\u3000")}) {
        EXPECT_TRUE(institution_findings("www.u-tokyo.ac.jp", client, {{registered}}).empty())
            << registered;
    }
    // Only those: punctuation and spelling still count.
    for (const std::string& registered :
         {std::string("The University of Tokyo."), std::string("TheUniversity of Tokyo"),
          std::string("東京 大学"), std::string("University of Tokyo")}) {
        auto findings = institution_findings("www.u-tokyo.ac.jp", client, {{registered}});
        ASSERT_EQ(findings.size(), 1u) << registered;
        EXPECT_EQ(findings[0].code, "whois_mismatch") << registered;
    }
}

TEST_F(PolicyWhois, RecordWithoutOrganisationIsWhoisConnectionFailed) {
    WhoisAnswer answer = client.lookup("noorg.ac.jp");
    EXPECT_EQ(answer.status, WhoisAnswer::Status::NoOrganisation);
    EXPECT_TRUE(answer.organisations.empty());
    EXPECT_EQ(answer.detail, "no organisation in response");
    auto findings = institution_findings("www.noorg.ac.jp", client, {{"The University of Tokyo"}});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "whois_connection_failed");
    EXPECT_EQ(findings[0].service_code, 403);
}

TEST_F(PolicyWhois, ConnectionRefusedIsWhoisConnectionFailed) {
    TcpWhoisClient refused(loopback_config(test::closed_loopback_port()));
    WhoisAnswer answer = refused.lookup("right.ac.jp");
    EXPECT_EQ(answer.status, WhoisAnswer::Status::Unreachable);
    EXPECT_NE(answer.detail.find("connect failed"), std::string::npos) << answer.detail;
    auto findings = institution_findings("www.right.ac.jp", refused);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "whois_connection_failed");
    EXPECT_EQ(findings[0].service_code, 403);
}

TEST_F(PolicyWhois, ServerThatNeverAnswersTimesOut) {
    auto start = std::chrono::steady_clock::now();
    WhoisAnswer answer = client.lookup("slow.ac.jp");
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(answer.status, WhoisAnswer::Status::Unreachable);
    EXPECT_EQ(answer.detail, "read timed out");
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 2s);
    auto findings = institution_findings("www.slow.ac.jp", client);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "whois_connection_failed");
}

TEST_F(PolicyWhois, GarbageIsTreatedAsAFailedLookup) {
    WhoisAnswer answer = client.lookup("junk.ac.jp");
    EXPECT_EQ(answer.status, WhoisAnswer::Status::NoOrganisation);
    auto findings = institution_findings("www.junk.ac.jp", client);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "whois_connection_failed");
}

TEST_F(PolicyWhois, OversizedResponseIsRefused) {
    server.answer("big.ac.jp", std::string(200 * 1024, 'x'));
    WhoisAnswer answer = client.lookup("big.ac.jp");
    EXPECT_EQ(answer.status, WhoisAnswer::Status::Unreachable);
    EXPECT_EQ(answer.detail, "response too large");
}

TEST_F(PolicyWhois, CacheAnswersRepeatsUntilTheTtlPasses) {
    auto now = std::chrono::steady_clock::now();
    CachingWhoisLookup cached(client, std::chrono::seconds(60), std::chrono::seconds(0),
                              [&] { return now; });
    EXPECT_EQ(cached.lookup("right.ac.jp").status, WhoisAnswer::Status::Found);
    EXPECT_EQ(cached.lookup("right.ac.jp").organisations,
              (std::vector<std::string>{"国立大学法人 例示大学", "Example University"}));
    EXPECT_EQ(server.queries(), 1);
    now += std::chrono::seconds(61);
    EXPECT_EQ(cached.lookup("right.ac.jp").status, WhoisAnswer::Status::Found);
    EXPECT_EQ(server.queries(), 2);
    // Failures are not cached.
    cached.lookup("junk.ac.jp");
    cached.lookup("junk.ac.jp");
    EXPECT_EQ(server.queries(), 4);
}

// Issue 12: a silent server (a real listener on loopback that never answers)
// costs one read timeout per domain and failure TTL, not one per request; the
// requests meanwhile fail at once (whois_connection_failed: 503).
TEST_F(PolicyWhois, UnreachableAnswersAreCachedForTheFailureTtl) {
    auto now = std::chrono::steady_clock::now();
    CachingWhoisLookup cached(client, std::chrono::seconds(60), std::chrono::seconds(30),
                              [&] { return now; });
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(cached.lookup("slow.ac.jp").status, WhoisAnswer::Status::Unreachable);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
    const int asked = server.queries();
    EXPECT_EQ(asked, 1);

    auto again = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        WhoisAnswer answer = cached.lookup("slow.ac.jp");
        EXPECT_EQ(answer.status, WhoisAnswer::Status::Unreachable);
        EXPECT_EQ(answer.detail, "read timed out");
    }
    auto findings = institution_findings("www.slow.ac.jp", cached);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "whois_connection_failed");
    EXPECT_LT(std::chrono::steady_clock::now() - again, 200ms);
    EXPECT_EQ(server.queries(), asked);

    // After the failure TTL the server is asked again (here it answers).
    server.answer("slow.ac.jp", "Registrant Organization: Example University\r\n");
    now += std::chrono::seconds(31);
    EXPECT_EQ(cached.lookup("slow.ac.jp").status, WhoisAnswer::Status::Found);
    EXPECT_EQ(server.queries(), asked + 1);

    // With failure TTL 0 (the default of the class) nothing is cached.
    CachingWhoisLookup uncached(client, std::chrono::seconds(60));
    server.hang("slow2.ac.jp");
    uncached.lookup("slow2.ac.jp");
    uncached.lookup("slow2.ac.jp");
    EXPECT_EQ(server.queries(), asked + 3);
}

TEST_F(PolicyWhois, CacheIsSafeAcrossThreads) {
    CachingWhoisLookup cached(client, std::chrono::seconds(60));
    std::vector<std::thread> threads;
    std::atomic<int> found{0};
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 50; ++k)
                if (cached.lookup("right.ac.jp").status == WhoisAnswer::Status::Found) ++found;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(found.load(), 400);
    EXPECT_LE(server.queries(), 8);
}

using Names = std::vector<std::string>;

TEST(PolicyWhoisParser, JprsAndCommonForms) {
    EXPECT_EQ(parse_whois_organisations("f. [組織名]   国立大学法人\u3000例示大学  \r\n"),
              Names{"国立大学法人 例示大学"});
    EXPECT_EQ(
        parse_whois_organisations("[組織名]    例示大学\n[Organization] Example University\n"),
        (Names{"例示大学", "Example University"}));
    EXPECT_EQ(parse_whois_organisations("g. [Organization]  Example   University\n"),
              Names{"Example University"});
    EXPECT_EQ(
        parse_whois_organisations("Domain Name: X.JP\nRegistrant Organization: Example Inc.\n"),
        Names{"Example Inc."});
    EXPECT_EQ(parse_whois_organisations("Registrant Organisation: Example Ltd\n"),
              Names{"Example Ltd"});
    EXPECT_EQ(parse_whois_organisations("No match!!\n"), Names{});
    EXPECT_EQ(parse_whois_organisations("f. [組織名]\n"), Names{});
    EXPECT_EQ(parse_whois_organisations(""), Names{});
    auto decoded = decode_whois_response(test::to_iso2022jp("[組織名] 例示大学\n"));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(parse_whois_organisations(*decoded), Names{"例示大学"});
}

TEST(PolicyWhoisParser, JprsRecordGivesEveryOrganisationInRecordOrder) {
    EXPECT_EQ(parse_whois_organisations(kTodaiRecord),
              (Names{"東京大学", "The University of Tokyo"}));
    auto decoded = decode_whois_response(test::to_iso2022jp(kTodaiRecord));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(parse_whois_organisations(*decoded), (Names{"東京大学", "The University of Tokyo"}));
    // English first when the record has it first; an empty field is skipped.
    EXPECT_EQ(parse_whois_organisations("[組織名]\r\n"
                                        "[Organization]                  Example University\r\n"
                                        "[組織名]                        例示大学\r\n"
                                        "Registrant Organization: Example Holdings\r\n"),
              (Names{"Example University", "例示大学", "Example Holdings"}));
}

TEST(PolicyWhoisParser, RepeatedOrganisationsAreGivenOnce) {
    // Same name in two fields (after whitespace normalisation) is kept once, at
    // its first place; names differing in case or width are both kept.
    EXPECT_EQ(parse_whois_organisations("f. [組織名]                     Example University\r\n"
                                        "g. [Organization]               Example  University\r\n"
                                        "Registrant Organization: 例示大学\r\n"
                                        "Registrant Organization: Example University\r\n"
                                        "Registrant Organization: EXAMPLE UNIVERSITY\r\n"),
              (Names{"Example University", "例示大学", "EXAMPLE UNIVERSITY"}));
}

TEST(PolicyWhoisParser, OrganisationNamesNormaliseWidthSpaceAndAsciiCaseOnly) {
    EXPECT_EQ(normalise_organisation_name("The University of Tokyo"), "the university of tokyo");
    EXPECT_EQ(normalise_organisation_name("ＴＨＥ　ＵＮＩＶＥＲＳＩＴＹ　ＯＦ　ＴＯＫＹＯ"),
              "the university of tokyo");
    EXPECT_EQ(normalise_organisation_name(" \t The\r\nUniversity \u3000 of Tokyo\u3000"),
              "the university of tokyo");
    // The whole full-width block U+FF01–U+FF5E, ends included; U+FF5F onwards is left.
    EXPECT_EQ(normalise_organisation_name("！＃＄（）＠［＼］＿｀｛｜｝～"), "!#$()@[\\]_`{|}~");
    EXPECT_EQ(normalise_organisation_name("０１２３４５６７８９ＡＺａｚ"), "0123456789azaz");
    EXPECT_EQ(normalise_organisation_name("｟｠｡"), "｟｠｡");
    // No kana folding (half-width katakana stays, hiragana is not katakana), no
    // punctuation stripping, no case folding outside ASCII.
    EXPECT_EQ(normalise_organisation_name("ﾄｳｷｮｳﾀﾞｲｶﾞｸ"), "ﾄｳｷｮｳﾀﾞｲｶﾞｸ");
    EXPECT_EQ(normalise_organisation_name("とうきょう"), "とうきょう");
    EXPECT_EQ(normalise_organisation_name("Example Univ., Inc."), "example univ., inc.");
    EXPECT_EQ(normalise_organisation_name("École ÉTUDES"), "École Études");
    EXPECT_EQ(normalise_organisation_name("東京大学"), "東京大学");
    EXPECT_EQ(normalise_organisation_name(""), "");
    EXPECT_EQ(normalise_organisation_name("\u3000 \t"), "");
}

TEST(PolicyWhoisParser, ServerTableUsesTheLongestSuffix) {
    WhoisConfig config;
    config.servers["jp"] = WhoisServer{"whois.jprs.jp", 43};
    config.servers["ac.jp"] = WhoisServer{"ac.example", 4343};
    TcpWhoisClient client(config);
    EXPECT_EQ(client.server_for("example.ac.jp")->host, "ac.example");
    EXPECT_EQ(client.server_for("example.co.jp")->host, "whois.jprs.jp");
    EXPECT_EQ(client.server_for("example.com"), nullptr);
    EXPECT_EQ(client.server_for("notjp"), nullptr);
    EXPECT_EQ(client.lookup("example.com").status, WhoisAnswer::Status::Unreachable);
}

TEST(PolicyWhoisParser, ServerSpecs) {
    EXPECT_EQ(parse_whois_server("whois.jprs.jp:43")->host, "whois.jprs.jp");
    EXPECT_EQ(parse_whois_server("whois.jprs.jp")->port, 43);
    EXPECT_EQ(parse_whois_server("127.0.0.1:4343")->port, 4343);
    EXPECT_EQ(parse_whois_server("[::1]:4343")->host, "::1");
    EXPECT_FALSE(parse_whois_server("host:"));
    EXPECT_FALSE(parse_whois_server("host:0"));
    EXPECT_FALSE(parse_whois_server("host:70000"));
    EXPECT_FALSE(parse_whois_server("host:4x"));
    EXPECT_FALSE(parse_whois_server(":43"));
    EXPECT_FALSE(parse_whois_server("::1:43"));
}

}  // namespace
}  // namespace inkan::policy
