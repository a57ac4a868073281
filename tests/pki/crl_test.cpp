#include "pki/crl.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "pki/encoding.h"
#include "pki/issuer.h"
#include "pki/serial.h"
#include "tests/pki/pki_test_support.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace inkan::pki {
namespace {

using inkan::test::run;
using test::q;

class PkiCrl : public ::testing::Test {
  protected:
    CrlContents contents_with(std::vector<RevokedCertificate> revoked) {
        CrlContents c;
        c.revoked = std::move(revoked);
        c.this_update = std::chrono::system_clock::now();
        c.next_update = c.this_update + std::chrono::hours(24 * 7);
        c.crl_number = 4711;
        return c;
    }
    void expect_crl_verifies(const test::TestCa& ca, const X509_CRL* crl, std::string* text) {
        test::write_text(dir / "ca.pem", to_pem(ca.certificate.get()));
        test::write_text(dir / "ca.crl", to_pem(crl));
        auto r =
            run("openssl crl -CAfile " + q(dir / "ca.pem") + " -noout -in " + q(dir / "ca.crl"));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_NE(r.output.find("verify OK"), std::string::npos) << r.output;
        *text = run("openssl crl -noout -text -in " + q(dir / "ca.crl")).output;
    }
    inkan::test::TempDir dir;
};

TEST_F(PkiCrl, CrlWithEntriesVerifiesAndCarriesNumberAkiAndReasons) {
    test::TestCa ca = test::make_test_ca(KeyType::EcP256);
    CertificateIssuer issuer(ca.signer, ca.certificate.get(), test::test_issuer_options());
    EvpPkeyPtr key = generate_key(KeyType::EcP256);
    IssuedCertificate revoked_cert =
        issuer.issue(issuer.prepare(test::make_request(test::default_profile(5), key.get())));
    IssuedCertificate good_cert =
        issuer.issue(issuer.prepare(test::make_request(test::default_profile(5), key.get())));

    auto compromised = std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01
    X509CrlPtr crl = issuer.issue_crl(contents_with({
        {serial_of(revoked_cert.certificate.get()), std::chrono::system_clock::now(),
         CrlReason::KeyCompromise, compromised},
        {serial_from_decimal("12345678901234567890"), std::chrono::system_clock::now(),
         CrlReason::Unspecified, std::nullopt},
        {serial_from_decimal("42"), std::chrono::system_clock::now(),
         CrlReason::CessationOfOperation, std::nullopt},
    }));
    std::string text;
    expect_crl_verifies(ca, crl.get(), &text);
    for (const char* expected :
         {"X509v3 CRL Number", "4711", "X509v3 Authority Key Identifier", "Key Compromise",
          "Cessation Of Operation", "Version 2", "ecdsa-with-SHA256", "Invalidity Date",
          "Jan  1 00:00:00 2026 GMT"})
        EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
    EXPECT_EQ(text.find("Unspecified"), std::string::npos)
        << "unspecified reason must be left out\n"
        << text;
    auto invalidity = text.find("Invalidity Date");
    EXPECT_EQ(text.find("Invalidity Date", invalidity + 1), std::string::npos)
        << "only the keyCompromise entry carries one\n"
        << text;

    // The revoked certificate fails `openssl verify -crl_check`, the other one passes.
    test::write_text(dir / "revoked.pem", to_pem(revoked_cert.certificate.get()));
    test::write_text(dir / "good.pem", to_pem(good_cert.certificate.get()));
    std::string check = "openssl verify -crl_check -CAfile " + q(dir / "ca.pem") + " -CRLfile " +
                        q(dir / "ca.crl") + " ";
    auto bad = run(check + q(dir / "revoked.pem"));
    EXPECT_NE(bad.exit_code, 0) << bad.output;
    EXPECT_NE(bad.output.find("certificate revoked"), std::string::npos) << bad.output;
    auto good = run(check + q(dir / "good.pem"));
    EXPECT_EQ(good.exit_code, 0) << good.output;
}

TEST_F(PkiCrl, EmptyCrlFromRsaIssuerVerifies) {
    test::TestCa ca = test::make_test_ca(KeyType::Rsa2048);
    X509CrlPtr crl = build_crl(ca.signer, ca.certificate.get(), contents_with({}));
    std::string text;
    expect_crl_verifies(ca, crl.get(), &text);
    EXPECT_NE(text.find("sha256WithRSAEncryption"), std::string::npos) << text;
    EXPECT_NE(text.find("No Revoked Certificates"), std::string::npos) << text;
}

TEST_F(PkiCrl, BadReasonAndTimesAreRefused) {
    EXPECT_THROW(crl_reason_from_int(7), Error);
    EXPECT_THROW(crl_reason_from_int(8), Error);
    EXPECT_EQ(crl_reason_from_int(5), CrlReason::CessationOfOperation);
    test::TestCa ca = test::make_test_ca(KeyType::EcP256);
    CrlContents c = contents_with({});
    c.next_update = c.this_update;
    try {
        build_crl(ca.signer, ca.certificate.get(), c);
        FAIL() << "nextUpdate = thisUpdate accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "bad_crl_times");
    }
}

}  // namespace
}  // namespace inkan::pki
