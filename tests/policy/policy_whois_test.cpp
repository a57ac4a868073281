// WHOIS against a real server on loopback: right organisation, wrong
// organisation, connection refused, timeout, garbage; parser and cache.
#include "policy_world.h"

#include "policy/institution_rules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace inkan::policy {
namespace {

using namespace std::chrono_literals;

WhoisConfig loopback_config(int port) {
    WhoisConfig config;
    config.servers["jp"] = WhoisServer{"127.0.0.1", port};
    config.connect_timeout = 300ms;
    config.read_timeout = 300ms;
    return config;
}

IssueRow row_for(const std::string& cn) {
    IssueRow row;
    row.line = 4;
    row.dn.cn = cn;
    row.dn.o = "Example University";
    row.dn.l = "Chiyoda-ku";
    row.dn.st = "Tokyo";
    row.dn.c = "JP";
    row.profile_id = 5;
    return row;
}

std::vector<Finding> institution_findings(const std::string& cn, WhoisLookup& whois) {
    InMemoryInstitutionRegistry registry;
    Institution inst = test::example_university();
    inst.domains.push_back({"right.ac.jp", *parse_date("2030-03-31")});
    inst.domains.push_back({"wrong.ac.jp", *parse_date("2030-03-31")});
    inst.domains.push_back({"slow.ac.jp", *parse_date("2030-03-31")});
    inst.domains.push_back({"junk.ac.jp", *parse_date("2030-03-31")});
    registry.put(inst);
    FixedClock clock(*parse_date("2026-04-01"));
    std::vector<Finding> findings;
    check_institution_rules(row_for(cn), InstitutionContext{registry, whois, clock}, findings);
    return findings;
}

class PolicyWhois : public ::testing::Test {
protected:
    PolicyWhois() : client(loopback_config(server.port())) {
        server.answer("right.ac.jp", test::to_iso2022jp(test::jprs_answer_utf8("RIGHT.AC.JP", "国立大学法人 例示大学", "Example University")));
        server.answer("wrong.ac.jp", "Registrant Organization: Gakko Hojin Other Gakuen\r\n");
        server.hang("slow.ac.jp");
        server.answer("junk.ac.jp", "\x01\x02garbage \xff\xfe no organisation here\n");
    }
    test::LoopbackWhoisServer server;
    TcpWhoisClient client;
};

TEST_F(PolicyWhois, RightOrganisationPassesAndTheQueryIsRfc3912) {
    WhoisAnswer answer = client.lookup("right.ac.jp");
    ASSERT_EQ(answer.status, WhoisAnswer::Status::Found) << answer.detail;
    EXPECT_EQ(answer.organisation, "国立大学法人 例示大学");
    EXPECT_EQ(server.queried_lines(), std::vector<std::string>{"right.ac.jp\r\n"});
    EXPECT_TRUE(institution_findings("www.right.ac.jp", client).empty());
}

TEST_F(PolicyWhois, WrongOrganisationIsWhoisMismatch) {
    WhoisAnswer answer = client.lookup("wrong.ac.jp");
    ASSERT_EQ(answer.status, WhoisAnswer::Status::Found);
    EXPECT_EQ(answer.organisation, "Gakko Hojin Other Gakuen");
    auto findings = institution_findings("www.wrong.ac.jp", client);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "whois_mismatch");
    EXPECT_EQ(findings[0].line, 4u);
    EXPECT_EQ(findings[0].column, 1u);
    EXPECT_EQ(findings[0].message_ja, "WHOISサーバに登録されている情報と一致しません。サービス窓口にお問い合わせください。");
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
    CachingWhoisLookup cached(client, std::chrono::seconds(60), [&] { return now; });
    EXPECT_EQ(cached.lookup("right.ac.jp").status, WhoisAnswer::Status::Found);
    EXPECT_EQ(cached.lookup("right.ac.jp").organisation, "国立大学法人 例示大学");
    EXPECT_EQ(server.queries(), 1);
    now += std::chrono::seconds(61);
    EXPECT_EQ(cached.lookup("right.ac.jp").status, WhoisAnswer::Status::Found);
    EXPECT_EQ(server.queries(), 2);
    // Failures are not cached.
    cached.lookup("junk.ac.jp");
    cached.lookup("junk.ac.jp");
    EXPECT_EQ(server.queries(), 4);
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

TEST(PolicyWhoisParser, JprsAndCommonForms) {
    EXPECT_EQ(parse_whois_organisation("f. [組織名]   国立大学法人\u3000例示大学  \r\n"), "国立大学法人 例示大学");
    EXPECT_EQ(parse_whois_organisation("[組織名]    例示大学\n[Organization] Example University\n"), "例示大学");
    EXPECT_EQ(parse_whois_organisation("g. [Organization]  Example   University\n"), "Example University");
    EXPECT_EQ(parse_whois_organisation("Domain Name: X.JP\nRegistrant Organization: Example Inc.\n"), "Example Inc.");
    EXPECT_FALSE(parse_whois_organisation("No match!!\n"));
    EXPECT_FALSE(parse_whois_organisation("f. [組織名]\n"));
    auto decoded = decode_whois_response(test::to_iso2022jp("[組織名] 例示大学\n"));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(parse_whois_organisation(*decoded), "例示大学");
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
