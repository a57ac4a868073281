// Unit rules: DN parsing, mail, serial, the domain rule of the institution check,
// the WHOIS name rule (a fake lookup answering several organisations).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "policy/institution_rules.h"
#include "policy/request_rows.h"
#include "policy/subject_dn.h"

namespace inkan::policy {
namespace {

TEST(PolicyDn, ParsesAllAttributesAndKeepsCommasInsideTheCn) {
    auto parsed = parse_subject_dn(
        "CN=Yamada, Taro (Dr.),OU=Eng,OU=1234,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP", 7);
    ASSERT_TRUE(parsed.dn) << parsed.findings[0].code;
    EXPECT_EQ(parsed.dn->cn, "Yamada, Taro (Dr.)");
    EXPECT_EQ(parsed.dn->ou, (std::vector<std::string>{"Eng", "1234"}));
    EXPECT_EQ(parsed.dn->o, "Example University");
    EXPECT_EQ(parsed.dn->l, "Chiyoda-ku");
    EXPECT_EQ(parsed.dn->st, "Tokyo");
    EXPECT_EQ(
        parsed.dn->to_string(),
        "CN=Yamada, Taro (Dr.),OU=Eng,OU=1234,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP");
}

TEST(PolicyDn, OnlyStOrOnlyLIsEnough) {
    EXPECT_TRUE(parse_subject_dn("CN=a,O=b,ST=Tokyo,C=JP", 1).dn);
    EXPECT_TRUE(parse_subject_dn("CN=a,O=b,L=Chiyoda-ku,C=JP", 1).dn);
    EXPECT_FALSE(parse_subject_dn("CN=a,O=b,C=JP", 1).dn);
}

TEST(PolicyDn, RejectsAndNamesTheRule) {
    auto code = [](std::string_view dn) {
        auto parsed = parse_subject_dn(dn, 3);
        EXPECT_FALSE(parsed.dn) << dn;
        if (parsed.findings.empty()) return std::string("none");
        EXPECT_EQ(parsed.findings[0].line, 3u);
        EXPECT_EQ(parsed.findings[0].column, 1u);
        return parsed.findings[0].code;
    };
    EXPECT_EQ(code("CN=a,O=b,L=x,C=JP,CN=c"), "dn_order");
    EXPECT_EQ(code("CN=a,CN=b,O=b,L=x,C=JP"), "dn_order");
    EXPECT_EQ(code("CN=a,O=b,L=x,ST=y,C=jp"), "dn_country");
    EXPECT_EQ(code("CN=a,O=b,L=x;y,C=JP"), "dn_chars");
    EXPECT_EQ(code("CN=a,O=b,L=x\ty,C=JP"), "dn_chars");
    EXPECT_EQ(code("CN=a,O=b,L=city,C=JP"), "dn_locality_forbidden");
    EXPECT_EQ(code("CN=a,O=b,L=ACADEME Town,C=JP"), "dn_locality_forbidden");
    EXPECT_EQ(code("=a,O=b,L=x,C=JP"), "dn_syntax");
    EXPECT_EQ(code("CN=a,O=b,L=x,ST=y"), "dn_attribute_missing");
    EXPECT_EQ(code("CN=a,OU=b_c,O=b,L=x,C=JP"), "dn_chars");
    EXPECT_EQ(code("CN=a_b@c,O=b@,L=x,C=JP"), "dn_chars");
    // "Sakai City" is allowed: only a bare "City" is forbidden.
    EXPECT_TRUE(parse_subject_dn("CN=a,O=b,L=Sakai City,C=JP", 1).dn);
}

TEST(PolicyDn, LengthsCountCharactersAndTheWholeDn) {
    std::string cn64(64, 'a');
    EXPECT_TRUE(parse_subject_dn("CN=" + cn64 + ",O=b,L=x,C=JP", 1).dn);
    EXPECT_EQ(parse_subject_dn("CN=" + cn64 + "a,O=b,L=x,C=JP", 1).findings[0].code,
              "dn_attribute_too_long");
    std::string dn = "CN=a";
    while (dn.size() < 240) dn += ",OU=" + std::string(20, 'u');
    EXPECT_EQ(parse_subject_dn(dn + ",O=b,L=x,C=JP", 1).findings[0].code, "dn_too_long");
}

TEST(PolicyFindings, CodesAreStableAndTheDuplicateIs212) {
    EXPECT_EQ(service_code_of("dn_duplicate"), 212);
    EXPECT_EQ(service_code_of("domain_not_approved"), 401);
    EXPECT_EQ(service_code_of("no_such_code"), 0);
    EXPECT_THROW(make_finding("no_such_code", 1, 1), inkan::Error);
    Finding f = make_finding("mail_invalid", 5, 14, "x");
    EXPECT_EQ(f.column_ja, "利用者メールアドレス");
    EXPECT_EQ(f.column_en, "user mail");
    EXPECT_EQ(f.message_en, "The mail address is not valid. (x)");
}

TEST(PolicyRows, MailSyntax) {
    EXPECT_TRUE(is_valid_mail("taro.yamada+pki@mail.example.ac.jp"));
    EXPECT_FALSE(is_valid_mail("taro@localhost"));
    EXPECT_FALSE(is_valid_mail("taro..y@example.ac.jp"));
    EXPECT_FALSE(is_valid_mail(".taro@example.ac.jp"));
    EXPECT_FALSE(is_valid_mail("taro@-example.ac.jp"));
    EXPECT_FALSE(is_valid_mail("taro@example..jp"));
    EXPECT_FALSE(is_valid_mail("山田@example.ac.jp"));
    EXPECT_FALSE(is_valid_mail("a@b@example.ac.jp"));
}

TEST(PolicyRows, SerialIsPositiveDecimalOfAtMost160Bits) {
    EXPECT_EQ(normalise_serial("000123"), "123");
    EXPECT_EQ(normalise_serial("1461501637330902918203684832716283019655932542975"),
              "1461501637330902918203684832716283019655932542975");  // 2^160 - 1
    EXPECT_FALSE(normalise_serial("1461501637330902918203684832716283019655932542976"));  // 2^160
    EXPECT_FALSE(normalise_serial("0"));
    EXPECT_FALSE(normalise_serial("000"));
    EXPECT_FALSE(normalise_serial("-1"));
    EXPECT_FALSE(normalise_serial("12 3"));
    EXPECT_FALSE(normalise_serial("ABCDEF"));
    EXPECT_FALSE(normalise_serial(std::string(60, '9')));
}

IssueRow row_with(std::string cn, std::string admin_mail, std::string user_mail) {
    IssueRow row;
    row.dn.cn = std::move(cn);
    row.admin_mail = std::move(admin_mail);
    row.user_mail = std::move(user_mail);
    return row;
}

TEST(PolicyInstitutionRules, DomainComesFromHostOrMailCnElseFromTheMailColumns) {
    auto host = domains_of(row_with("WWW.Example.AC.JP", "a@x.jp", "b@y.jp"));
    ASSERT_EQ(host.size(), 1u);
    EXPECT_EQ(host[0].domain, "www.example.ac.jp");
    EXPECT_EQ(host[0].column, 1u);
    auto mail = domains_of(row_with("taro@lab.example.ac.jp", "a@x.jp", ""));
    ASSERT_EQ(mail.size(), 1u);
    EXPECT_EQ(mail[0].domain, "lab.example.ac.jp");
    auto person = domains_of(row_with("Taro Yamada", "a@X.jp", "b@y.jp"));
    ASSERT_EQ(person.size(), 2u);
    EXPECT_EQ(person[0].domain, "x.jp");
    EXPECT_EQ(person[0].column, 10u);
    EXPECT_EQ(person[1].column, 14u);
    // A dotted name whose last label is numeric is not a host name (e.g. "Ver. 2.0").
    EXPECT_EQ(domains_of(row_with("a.b.10", "a@x.jp", "")).front().column, 10u);
}

// Answers every domain with the same record's organisation fields.
class RecordWhois final : public WhoisLookup {
  public:
    explicit RecordWhois(std::vector<std::string> organisations)
        : organisations_(std::move(organisations)) {}
    WhoisAnswer lookup(const std::string&) override {
        if (organisations_.empty())
            return {WhoisAnswer::Status::NoOrganisation, {}, "no organisation in response"};
        return {WhoisAnswer::Status::Found, organisations_, {}};
    }

  private:
    std::vector<std::string> organisations_;
};

// The institution codes for www.u-tokyo.ac.jp when WHOIS answers `organisations`
// and the institution is registered with `whois_names`.
std::vector<std::string> whois_codes(std::vector<std::string> organisations,
                                     std::vector<std::string> whois_names) {
    Institution inst;
    inst.name = "The University of Tokyo";
    inst.domains = {{"u-tokyo.ac.jp", *parse_date("2030-03-31")}};
    inst.state = "Tokyo";
    inst.locality = "Bunkyo-ku";
    inst.whois_names = std::move(whois_names);
    inst.enabled_profiles = {5};
    InMemoryInstitutionRegistry registry;
    registry.put(inst);
    FixedClock clock(*parse_date("2026-04-01"));
    RecordWhois whois(std::move(organisations));
    IssueRow row = row_with("www.u-tokyo.ac.jp", "", "");
    row.line = 2;
    row.dn.o = "The University of Tokyo";
    row.dn.l = "Bunkyo-ku";
    row.dn.st = "Tokyo";
    row.dn.c = "JP";
    row.profile_id = 5;
    std::vector<Finding> findings;
    check_institution_rules(row, InstitutionContext{registry, whois, clock}, findings);
    std::vector<std::string> codes;
    for (const Finding& f : findings) codes.push_back(f.code);
    return codes;
}

using Codes = std::vector<std::string>;

TEST(PolicyInstitutionRules, AnyOrganisationOfTheRecordMayMatchAnyRegisteredName) {
    const std::vector<std::string> jprs{"東京大学", "The University of Tokyo"};
    EXPECT_EQ(whois_codes(jprs, {"The University of Tokyo"}), Codes{});
    EXPECT_EQ(whois_codes(jprs, {"東京大学"}), Codes{});
    EXPECT_EQ(whois_codes(jprs, {"Other Name", "the  UNIVERSITY of tokyo"}), Codes{});
    EXPECT_EQ(whois_codes(jprs, {"ＴＨＥ　ＵＮＩＶＥＲＳＩＴＹ　ＯＦ　ＴＯＫＹＯ"}), Codes{});
    EXPECT_EQ(whois_codes({"ＴＨＥ　ＵＮＩＶＥＲＳＩＴＹ　ＯＦ　ＴＯＫＹＯ"},
                          {"The University of Tokyo"}),
              Codes{});
    EXPECT_EQ(whois_codes(jprs, {"東京工業大学", "Tokyo Institute of Technology"}),
              Codes{"whois_mismatch"});
    EXPECT_EQ(whois_codes(jprs, {}), Codes{"whois_mismatch"});
    EXPECT_EQ(whois_codes(jprs, {"The University of Tokyo."}), Codes{"whois_mismatch"});
    EXPECT_EQ(whois_codes(jprs, {"ﾄｳｷｮｳﾀﾞｲｶﾞｸ"}), Codes{"whois_mismatch"});
    EXPECT_EQ(whois_codes({}, {"The University of Tokyo"}), Codes{"whois_connection_failed"});
}

}  // namespace
}  // namespace inkan::policy
