// Renew rows against the certificates they replace (issue 8), and the revocation
// request file Inkan writes for a replaced certificate.
#include <gtest/gtest.h>

#include "policy/request_text.h"
#include "policy/revocation_file.h"
#include "policy_world.h"

namespace inkan::policy {
namespace {

const std::string kDn = "CN=Taro Yamada,OU=1001,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP";

// One renew row (P12 individual) naming `serial`.
std::string renew_row(const std::string& dn, const std::string& serial) {
    return dn + "\t5\t1\t" + serial +
           "\t\t\t\tAdmin\t\tadmin@example.ac.jp\tTaro\t\t\ttaro@example.ac.jp\t\n";
}

struct RenewalWorld {
    test::PolicyWorld world;
    InMemoryCertificateLookup issued;
    RenewalWorld() {
        issued.put({"1001", kDn, "Example University"});
        world.existing.add(kDn, "1001");
    }
    CheckReport check(const std::string& file, ErrorMode mode = ErrorMode::Skip) {
        CheckContext context = world.context();
        context.institution = "Example University";
        context.certificates = &issued;
        return check_request_file(file, Action::Renew, mode, context);
    }
};

std::vector<std::string> codes_of(const CheckReport& report) {
    std::vector<std::string> codes;
    for (const auto& f : report.all_findings())
        codes.push_back(f.code + "@" + std::to_string(f.line) + ":" + std::to_string(f.column));
    return codes;
}

TEST(PolicyRenewal, TheOwnValidCertificateDoesNotHoldTheDnButAnyOtherClaimDoes) {
    RenewalWorld w;
    auto report = w.check(renew_row(kDn, "1001"));
    EXPECT_TRUE(codes_of(report).empty()) << report_to_text(report);
    ASSERT_EQ(report.accepted_renew.size(), 1u);
    EXPECT_EQ(report.accepted_renew[0].old_serial, "1001");
    // A pending issue request (no certificate) for the same DN does hold it.
    w.world.existing.add(kDn);
    EXPECT_EQ(codes_of(w.check(renew_row(kDn, "1001"))),
              std::vector<std::string>{"dn_duplicate@1:1"});
}

TEST(PolicyRenewal, SerialMustBeAKnownCertificateOfTheOperatorsInstitution) {
    RenewalWorld w;
    w.issued.put({"2002", "CN=Taro Yamada,OU=1001,O=Other University,L=Chiyoda-ku,ST=Tokyo,C=JP",
                  "Other University"});
    auto unknown = w.check(renew_row(kDn, "9999"));
    EXPECT_EQ(codes_of(unknown), std::vector<std::string>{"serial_unknown@1:4"});
    EXPECT_EQ(unknown.all_findings()[0].service_code, 315);
    EXPECT_EQ(codes_of(w.check(renew_row(kDn, "2002"))),
              std::vector<std::string>{"serial_unknown@1:4"});
    // A malformed serial is a column error before any look-up.
    EXPECT_EQ(codes_of(w.check(renew_row(kDn, "12ab"))),
              std::vector<std::string>{"serial_invalid@1:4"});
}

TEST(PolicyRenewal, CnOuOAndCMustStayWhileLAndStMayChange) {
    RenewalWorld w;
    const std::string new_cn =
        "CN=Jiro Yamada,OU=1001,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP";
    const std::string new_ou =
        "CN=Taro Yamada,OU=2002,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP";
    const std::string more_ou =
        "CN=Taro Yamada,OU=1001,OU=Lab,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP";
    for (const std::string& changed : {new_cn, new_ou, more_ou}) {
        auto report = w.check(renew_row(changed, "1001"));
        EXPECT_EQ(codes_of(report), std::vector<std::string>{"serial_dn_mismatch@1:1"}) << changed;
        EXPECT_NE(report.all_findings()[0].message_en.find("new issuance"), std::string::npos);
        EXPECT_NE(report.all_findings()[0].message_en.find(kDn), std::string::npos);
    }
    // The institution moved: its registered L changed since the old certificate.
    Institution moved = test::example_university();
    moved.locality = "Minato-ku";
    w.world.registry.put(moved);
    const std::string new_l =
        "CN=Taro Yamada,OU=1001,O=Example University,L=Minato-ku,ST=Tokyo,C=JP";
    auto report = w.check(renew_row(new_l, "1001"));
    EXPECT_TRUE(codes_of(report).empty()) << report_to_text(report);
}

TEST(PolicyRenewal, RevokedOrExpiredCertificatesMayBeRenewedButOnlyOnceAtATime) {
    RenewalWorld w;
    KnownCertificate revoked{"1001", kDn, "Example University"};
    revoked.revoked = true;
    w.issued.put(revoked);
    EXPECT_TRUE(codes_of(w.check(renew_row(kDn, "1001"))).empty());
    KnownCertificate expired{"1001", kDn, "Example University"};
    expired.expired = true;
    w.issued.put(expired);
    EXPECT_TRUE(codes_of(w.check(renew_row(kDn, "1001"))).empty());

    KnownCertificate pending{"1001", kDn, "Example University"};
    pending.renewal_pending = true;
    w.issued.put(pending);
    auto report = w.check(renew_row(kDn, "1001"), ErrorMode::Abort);
    EXPECT_EQ(codes_of(report), std::vector<std::string>{"renewal_pending@1:4"});
    EXPECT_EQ(report.all_findings()[0].service_code, 318);
    EXPECT_EQ(report.accepted_count(), 0u);
}

TEST(PolicyRenewal, TheSameOldSerialTwiceInOneFileIsRefused) {
    RenewalWorld w;
    const std::string no_l = "CN=Taro Yamada,OU=1001,O=Example University,ST=Tokyo,C=JP";
    auto report = w.check(renew_row(kDn, "1001") + renew_row(no_l, "1001"));
    EXPECT_EQ(codes_of(report), std::vector<std::string>{"serial_duplicate@2:4"});
    EXPECT_EQ(report.accepted_renew.size(), 1u);
}

TEST(PolicyRenewal, RevocationFileIsTheRevokeLayoutInShiftJisWithCrlf) {
    RevokeRow row;
    row.dn = *parse_subject_dn(kDn, 1).dn;
    row.serial = "1001";
    row.reason = RevocationReason::Superseded;
    row.comment = "証明書更新のため失効";
    row.admin_mail = "admin@example.ac.jp";
    row.user_mail = "taro@example.ac.jp";
    std::string file = write_revocation_file({row, row});
    EXPECT_FALSE(is_valid_utf8(file));  // Shift_JIS, not UTF-8
    auto utf8 = convert_to_utf8(file, "CP932");
    ASSERT_TRUE(utf8);
    const std::string line =
        kDn +
        "\t\t\t1001\t4\t証明書更新のため失効\t\t\t\tadmin@example.ac.jp\t\t\t\t"
        "taro@example.ac.jp\t\r\n";
    EXPECT_EQ(*utf8, line + line);
    // It reads back as a valid revoke file (the lookup is not part of this check).
    test::PolicyWorld world;
    auto report = check_request_file(write_revocation_file({row}), Action::Revoke, ErrorMode::Abort,
                                     world.context());
    EXPECT_FALSE(report.has_errors()) << report_to_text(report);
    EXPECT_EQ(report.encoding, TextEncoding::Cp932);
    ASSERT_EQ(report.accepted_revoke.size(), 1u);
    EXPECT_EQ(report.accepted_revoke[0].reason, RevocationReason::Superseded);
    EXPECT_EQ(report.accepted_revoke[0].comment, "証明書更新のため失効");
}

}  // namespace
}  // namespace inkan::policy
