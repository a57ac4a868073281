// Issue 8 acceptance for renewal over real HTTPS on loopback: renew a downloaded
// certificate, take the revocation request file the renewal leaves, upload it
// unchanged as a revocation request, and check with openssl against the CRL
// fetched from the publication listener that the old certificate is revoked and
// the new one is not.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;
using test::row;
using test::sh_ok;

namespace {

class Renewal : public ::testing::Test {
  protected:
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;

    std::string file(const std::string& name) const { return (work / name).string(); }

    json upload(const std::string& action, const std::string& body, int expected_status) {
        auto r = f.operator_client().post("/api/v1/requests?action=" + action + "&on_error=abort",
                                          body, "text/tab-separated-values");
        EXPECT_EQ(r.status, expected_status) << r.error << r.body.substr(0, 2000);
        return r.body.empty() ? json() : json::parse(r.body);
    }

    // Downloads the batch's one row as a P12; writes <name>.pem; returns its serial (decimal).
    std::string download(const json& batch, const std::string& name) {
        const json& r = batch["rows"][0];
        auto [pin, p12] = f.download_row(r["pin_url"], r["retrieval_url"]);
        test::write_file(work / (name + ".p12"), p12.body);
        sh_ok("openssl pkcs12 -in " + file(name + ".p12") +
              " -nokeys -clcerts -passin pass:" + pin + " -out " + file(name + ".pem"));
        auto state =
            json::parse(f.operator_client()
                            .get("/api/v1/requests/" + batch["batch_id"].get<std::string>())
                            .body);
        return state["rows"][0]["serial"];
    }

    // openssl verify of <name>.pem against the CA and the CRL from the listener.
    test::RunResult verify_with_crl(const std::string& name) {
        sh_ok("curl -sf -o " + file("crl.der") + " " + f.crl_base_url() + "/crl/inkan-ca.crl");
        sh_ok("openssl crl -inform DER -in " + file("crl.der") + " -out " + file("crl.pem"));
        return test::run("openssl verify -crl_check -CAfile " +
                         f.config().ca_certificate_path().string() + " -CRLfile " +
                         file("crl.pem") + " " + file(name + ".pem"));
    }
};

}  // namespace

TEST_F(Renewal, RevocationFileFromTheRenewalRevokesTheOldCertificateAndNotTheNew) {
    std::string old_serial = download(upload("issue", row("Renew Taro"), 201), "old");
    auto renewal = upload("renew", row("Renew Taro", old_serial), 201);
    const std::string id = renewal["batch_id"];
    EXPECT_EQ(renewal["report"]["action"], "renew");
    std::string new_serial = download(renewal, "new");
    EXPECT_NE(new_serial, old_serial);
    auto state = json::parse(f.operator_client().get("/api/v1/requests/" + id).body);
    EXPECT_EQ(state["rows"][0]["renews_serial"], old_serial);
    EXPECT_EQ(verify_with_crl("old").exit_code, 0) << "valid until its revocation";

    auto revocation = f.operator_client().get("/api/v1/requests/" + id + "/revocation-file");
    ASSERT_EQ(revocation.status, 200) << revocation.body;
    EXPECT_EQ(revocation.headers["content-type"], "text/tab-separated-values; charset=Shift_JIS");
    EXPECT_NE(revocation.headers["content-disposition"].find(id + "-revoke.tsv"),
              std::string::npos);
    EXPECT_NE(revocation.body.find("\t" + old_serial + "\t4\t"), std::string::npos);
    EXPECT_EQ(revocation.body.substr(revocation.body.size() - 2), "\r\n");

    auto revoked = upload("revoke", revocation.body, 201);
    ASSERT_EQ(revoked["revoked"].size(), 1u) << revoked.dump(1);
    EXPECT_EQ(revoked["revoked"][0]["serial"], old_serial);
    auto old_check = verify_with_crl("old");
    EXPECT_NE(old_check.exit_code, 0);
    EXPECT_NE(old_check.output.find("certificate revoked"), std::string::npos) << old_check.output;
    auto new_check = verify_with_crl("new");
    EXPECT_EQ(new_check.exit_code, 0) << new_check.output;
    // Nothing is left to revoke for this renewal.
    auto none = f.operator_client().get("/api/v1/requests/" + id + "/revocation-file");
    EXPECT_EQ(none.status, 404);
    EXPECT_EQ(json::parse(none.body)["code"], "revocation_file_none");
}

TEST_F(Renewal, RenewingARevokedCertificateLeavesNoRevocationFile) {
    std::string old_serial = download(upload("issue", row("Renew Hanako"), 201), "old");
    auto mail = f.operator_client().post(
        "/api/v1/revocations/by-mail",
        json{{"mail", "user7@example.ac.jp"}, {"reason", "1"}}.dump(), "application/json");
    ASSERT_EQ(mail.status, 200) << mail.body;
    auto renewal = upload("renew", row("Renew Hanako", old_serial), 201);
    download(renewal, "new");
    auto none = f.operator_client().get(
        "/api/v1/requests/" + renewal["batch_id"].get<std::string>() + "/revocation-file");
    EXPECT_EQ(none.status, 404) << none.body;
    EXPECT_EQ(verify_with_crl("new").exit_code, 0);
}

TEST_F(Renewal, ChangedSubjectUnknownSerialAndAnotherInstitutionsSerialAreRefusedPerRow) {
    std::string own = download(upload("issue", row("Renew Jiro"), 201), "own");
    auto refused =
        upload("renew", row("Renew Jiro Changed", own) + row("Renew Saburo", "123456789"), 422);
    ASSERT_EQ(refused["report"]["rejected"].size(), 2u) << refused.dump(1);
    EXPECT_EQ(refused["report"]["rejected"][0]["errors"][0]["code"], "serial_dn_mismatch");
    EXPECT_EQ(refused["report"]["rejected"][1]["errors"][0]["code"], "serial_unknown");
    // Another institution's operator: the serial is not theirs.
    f.add_institution("Other University", "other.ac.jp");
    auto other = f.add_operator("other-op", "Other University");
    auto r = f.client_for(other).post("/api/v1/requests?action=renew&on_error=abort",
                                      row("Renew Jiro", own), "text/tab-separated-values");
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(json::parse(r.body)["report"]["rejected"][0]["errors"][0]["code"], "serial_unknown");
}
