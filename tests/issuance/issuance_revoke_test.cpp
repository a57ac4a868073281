// Revocation request files (action revoke): rows checked against the certificate
// their serial names, revoked at once with their events; a certificate revoked
// already is a notice, not an error.
#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/issuance/issuance_world.h"

namespace inkan::test {
namespace {

// A downloaded certificate of the world's institution: {serial decimal, DN}.
std::pair<std::string, std::string> issued(IssuanceWorld& w, const std::string& cn) {
    RowSpec row;
    row.cn = cn;
    auto batch = w.submit(request_line(row));
    EXPECT_EQ(batch.status, "accepted") << batch.report.dump(1);
    auto pin = w.service->view_pins(*batch.rows.at(0).pin_token).entries.at(0).pin;
    auto file = w.service->download_p12(*batch.rows[0].retrieval_token, pin);
    return {file.serial, batch.rows[0].subject_dn};
}

std::string revoke_line(const std::string& dn, const std::string& serial, const std::string& reason,
                        const std::string& comment = "") {
    std::string cols[15] = {dn, "", "", serial, reason, comment, "", "", "", "admin@example.ac.jp",
                            "", "", "", "",     ""};
    std::string line;
    for (int i = 0; i < 15; ++i) line += (i ? "\t" : "") + cols[i];
    return line + "\n";
}

const nlohmann::json& finding_on(const nlohmann::json& report, size_t line) {
    for (const auto& r : report["rejected"])
        if (r["line"] == line) return r["errors"][0];
    static const nlohmann::json none;
    ADD_FAILURE() << "no finding on line " << line << ": " << report.dump(1);
    return none;
}

TEST(IssuanceRevoke, RowsAreCheckedAgainstTheirCertificateAndRevokedAtOnce) {
    IssuanceWorld w;
    auto [serial_a, dn_a] = issued(w, "Revoke Alpha");
    auto [serial_b, dn_b] = issued(w, "Revoke Beta");
    std::string file = revoke_line(dn_a, serial_a, "1") +     // line 1: revoked
                       revoke_line(dn_a, serial_b, "3") +     // line 2: DN of another serial
                       revoke_line(dn_b, "123456789", "3") +  // line 3: unknown serial
                       revoke_line(dn_b, serial_b, "2") +     // line 4: reason 2 refused
                       revoke_line(dn_b, serial_b, "0");      // line 5: 0 needs a comment
    auto abort = w.service->submit(w.op, file, policy::Action::Revoke, policy::ErrorMode::Abort,
                                   w.context());
    EXPECT_EQ(abort.status, "rejected");
    EXPECT_TRUE(abort.revoked.empty());
    EXPECT_EQ(w.certificates->find_by_decimal(serial_a)->status, store::CertificateStatus::Valid)
        << "abort: nothing";

    auto skip =
        w.service->submit(w.op, file, policy::Action::Revoke, policy::ErrorMode::Skip, w.context());
    ASSERT_EQ(skip.status, "accepted") << skip.report.dump(1);
    ASSERT_EQ(skip.revoked.size(), 1u);
    EXPECT_EQ(skip.revoked[0].serial, serial_a);
    EXPECT_EQ(skip.revoked[0].line, 1u);
    EXPECT_EQ(finding_on(skip.report, 2)["code"], "serial_dn_mismatch");
    EXPECT_EQ(finding_on(skip.report, 3)["code"], "serial_unknown");
    EXPECT_EQ(finding_on(skip.report, 4)["code"], "revocation_reason_invalid");
    EXPECT_EQ(finding_on(skip.report, 5)["code"], "revocation_comment_required");
    auto a = w.certificates->find_by_decimal(serial_a);
    EXPECT_EQ(a->status, store::CertificateStatus::Revoked);
    EXPECT_EQ(a->revocation_reason, 1);
    EXPECT_EQ(w.certificates->find_by_decimal(serial_b)->status, store::CertificateStatus::Valid);
    // The RA operator and the subscriber admin are told (events for the mail issue).
    int events = 0;
    for (const auto& n : w.batches->pending_notifications(*skip.batch_id)) {
        EXPECT_EQ(n.type, "revocation_completed");
        EXPECT_EQ(n.serial_dec, serial_a);
        ++events;
    }
    EXPECT_EQ(events, 2);

    // Again: already revoked is a notice, not an error (abort mode goes on).
    auto again =
        w.service->submit(w.op, revoke_line(dn_a, serial_a, "1") + revoke_line(dn_b, serial_b, "4"),
                          policy::Action::Revoke, policy::ErrorMode::Abort, w.context());
    ASSERT_EQ(again.status, "accepted") << again.report.dump(1);
    ASSERT_EQ(again.report["notices"].size(), 1u);
    EXPECT_EQ(again.report["notices"][0]["code"], "already_revoked");
    ASSERT_EQ(again.revoked.size(), 1u);
    EXPECT_EQ(again.revoked[0].serial, serial_b);
}

TEST(IssuanceRevoke, AnotherInstitutionsSerialIsUnknownToTheOperator) {
    IssuanceWorld w;
    auto [serial, dn] = issued(w, "Revoke Gamma");
    issuance::OperatorInfo other{"op2", "Other University", "op2@other.ac.jp"};
    auto r = w.service->submit(other, revoke_line(dn, serial, "1"), policy::Action::Revoke,
                               policy::ErrorMode::Skip, w.context());
    EXPECT_TRUE(r.revoked.empty());
    EXPECT_EQ(finding_on(r.report, 1)["code"], "serial_unknown");
    EXPECT_EQ(w.certificates->find_by_decimal(serial)->status, store::CertificateStatus::Valid);
}

}  // namespace
}  // namespace inkan::test
