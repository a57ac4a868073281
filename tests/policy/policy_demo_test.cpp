// The demo institution (WhoisSource::Demo, made by `inkan init`): no WHOIS
// lookup for reserved example names, the normal lookup for every other domain.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/institution_rules.h"
#include "policy/request_rows.h"
#include "policy_world.h"

namespace inkan::policy {
namespace {

// One fake per interface: answers every domain with `organisation` (or as
// unreachable when empty) and records what was asked.
class CountingWhois final : public WhoisLookup {
  public:
    explicit CountingWhois(std::string organisation) : organisation_(std::move(organisation)) {}
    WhoisAnswer lookup(const std::string& domain) override {
        asked.push_back(domain);
        WhoisAnswer answer;
        if (organisation_.empty()) return answer;
        answer.status = WhoisAnswer::Status::Found;
        answer.organisations = {organisation_};
        return answer;
    }
    std::vector<std::string> asked;

  private:
    std::string organisation_;
};

Institution demo_university(WhoisSource source) {
    Institution inst;
    inst.name = "Inkan Demo University";
    inst.state = "Tokyo";
    inst.locality = "Chiyoda-ku";
    inst.whois_names = {inst.name};
    inst.enabled_profiles = default_enabled_profiles();
    inst.domains = {{"example.ac.jp", *parse_date("2099-12-31")},
                    {"real-univ.ac.jp", *parse_date("2099-12-31")},
                    {"old.example.jp", *parse_date("2020-03-31")}};
    inst.whois_source = source;
    return inst;
}

std::vector<std::string> codes(WhoisSource source, const std::string& cn, WhoisLookup& whois) {
    InMemoryInstitutionRegistry registry;
    registry.put(demo_university(source));
    FixedClock clock(*parse_date("2026-04-01"));
    std::vector<Finding> findings;
    check_institution_rules(test::issue_row(cn, "Inkan Demo University", 1),
                            InstitutionContext{registry, whois, clock}, findings);
    std::vector<std::string> out;
    for (const auto& f : findings) out.push_back(f.code);
    return out;
}

TEST(PolicyDemoInstitution, ExampleDomainPassesWithoutAnyLookup) {
    CountingWhois whois("");  // unreachable: would fail if it were asked
    EXPECT_TRUE(codes(WhoisSource::Demo, "user1.example.ac.jp", whois).empty());
    EXPECT_TRUE(codes(WhoisSource::Demo, "example.ac.jp", whois).empty());
    EXPECT_TRUE(whois.asked.empty());
}

TEST(PolicyDemoInstitution, RealDomainIsLookedUpAsForEveryone) {
    CountingWhois stranger("Gakko Hojin Other Gakuen");
    EXPECT_EQ(codes(WhoisSource::Demo, "www.real-univ.ac.jp", stranger),
              std::vector<std::string>{"whois_mismatch"});
    EXPECT_EQ(stranger.asked, std::vector<std::string>{"real-univ.ac.jp"});
    CountingWhois down("");
    EXPECT_EQ(codes(WhoisSource::Demo, "www.real-univ.ac.jp", down),
              std::vector<std::string>{"whois_connection_failed"});
    EXPECT_EQ(down.asked.size(), 1u);
    CountingWhois right("Inkan Demo University");
    EXPECT_TRUE(codes(WhoisSource::Demo, "www.real-univ.ac.jp", right).empty());
    EXPECT_EQ(right.asked.size(), 1u);
}

TEST(PolicyDemoInstitution, RegistryInstitutionIsLookedUpForExampleDomains) {
    CountingWhois down("");
    EXPECT_EQ(codes(WhoisSource::Registry, "user1.example.ac.jp", down),
              std::vector<std::string>{"whois_connection_failed"});
    EXPECT_EQ(down.asked, std::vector<std::string>{"example.ac.jp"});
    CountingWhois right("Inkan Demo University");
    EXPECT_TRUE(codes(WhoisSource::Registry, "user1.example.ac.jp", right).empty());
    EXPECT_EQ(right.asked.size(), 1u);
}

TEST(PolicyDemoInstitution, OnlyWhoisIsSkippedNotApprovalOrLocality) {
    CountingWhois whois("");
    EXPECT_EQ(codes(WhoisSource::Demo, "u.old.example.jp", whois),
              std::vector<std::string>{"approval_expired"});
    EXPECT_EQ(codes(WhoisSource::Demo, "u.other.example.jp", whois),
              std::vector<std::string>{"domain_not_approved"});
    EXPECT_TRUE(whois.asked.empty());
}

TEST(PolicyDemoInstitution, DemoDomainsAreReservedExampleNames) {
    for (const char* name :
         {"example.ac.jp", "EXAMPLE.AC.JP", "example.com", "example.jp", "example", "a.example",
          "host.test", "x.invalid", "svc.localhost", "Host.Test"}) {
        EXPECT_TRUE(is_demo_domain(name)) << name;
    }
    for (const char* name :
         {"", "ac.jp", "u-tokyo.ac.jp", "examples.ac.jp", "myexample.com", "example-univ.ac.jp",
          "test.ac.jp", "invalid.jp", "localhost.jp", "testing", "host.test.",
          // under a real registration, or a host name rather than the approved domain
          "example.realuniv.ac.jp", "user1.example.ac.jp", "foo.example.jp"}) {
        EXPECT_FALSE(is_demo_domain(name)) << name;
    }
}

}  // namespace
}  // namespace inkan::policy
