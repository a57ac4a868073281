// OCSP requests made by `openssl ocsp`, answered by pki, checked by `openssl ocsp`.
#include "pki/ocsp.h"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>

#include "pki/encoding.h"
#include "pki/issuer.h"
#include "pki/serial.h"
#include "tests/pki/pki_test_support.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace inkan::pki {
namespace {

using inkan::test::read_file;
using inkan::test::run;
using test::q;

class PkiOcsp : public ::testing::Test {
  protected:
    void SetUp() override {
        good = issue();
        revoked = issue();
        test::write_text(dir / "ca.pem", to_pem(ca.certificate.get()));
        test::write_text(dir / "good.pem", to_pem(good.certificate.get()));
        test::write_text(dir / "revoked.pem", to_pem(revoked.certificate.get()));
    }
    IssuedCertificate issue() {
        return issuer.issue(
            issuer.prepare(test::make_request(test::default_profile(5), key.get())));
    }
    OcspStatus lookup(const Bytes& serial) {
        ++lookups;
        if (serial == serial_of(good.certificate.get())) return {OcspCertStatus::Good, {}, {}};
        if (serial == serial_of(revoked.certificate.get()))
            return {OcspCertStatus::Revoked,
                    std::chrono::system_clock::now() - std::chrono::hours(1),
                    CrlReason::KeyCompromise};
        return {};
    }
    Bytes respond(ByteView request) {
        return respond_ocsp(
            ca.signer, ca.certificate.get(), request, [&](const Bytes& s) { return lookup(s); },
            OcspResponderOptions{std::chrono::system_clock::now(), std::chrono::hours(12)});
    }

    inkan::test::TempDir dir;
    test::TestCa ca = test::make_test_ca(KeyType::EcP256);
    CertificateIssuer issuer{ca.signer, ca.certificate.get(), test::test_issuer_options()};
    EvpPkeyPtr key = generate_key(KeyType::EcP256);
    IssuedCertificate good, revoked;
    int lookups = 0;
};

TEST_F(PkiOcsp, OpensslClientVerifiesResponseStatusesAndNonce) {
    std::string certs = " -issuer " + q(dir / "ca.pem") + " -cert " + q(dir / "good.pem") +
                        " -cert " + q(dir / "revoked.pem");
    auto req = run("openssl ocsp" + certs + " -reqout " + q(dir / "req.der"));
    ASSERT_EQ(req.exit_code, 0) << req.output;
    Bytes response = respond(as_bytes(read_file(dir / "req.der")));
    EXPECT_EQ(lookups, 2);
    test::write_bytes(dir / "resp.der", response);

    auto text = run("openssl ocsp -respin " + q(dir / "resp.der") + " -resp_text -noverify");
    EXPECT_NE(text.output.find("Responder Id: "), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("OCSP Nonce"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("Revocation Reason: keyCompromise"), std::string::npos)
        << text.output;

    auto check = run("openssl ocsp -respin " + q(dir / "resp.der") + " -CAfile " +
                     q(dir / "ca.pem") + certs + " -no_nonce");
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find("Response verify OK"), std::string::npos) << check.output;
    EXPECT_NE(check.output.find("good.pem: good"), std::string::npos) << check.output;
    EXPECT_NE(check.output.find("revoked.pem: revoked"), std::string::npos) << check.output;
}

TEST_F(PkiOcsp, CertificateOfAnotherIssuerIsUnknownWithoutLookup) {
    test::TestCa other_ca = test::make_test_ca(KeyType::EcP256);
    CertificateIssuer other(other_ca.signer, other_ca.certificate.get(), {});
    IssuedCertificate foreign =
        other.issue(other.prepare(test::make_request(test::default_profile(5), key.get())));
    test::write_text(dir / "other-ca.pem", to_pem(other_ca.certificate.get()));
    test::write_text(dir / "foreign.pem", to_pem(foreign.certificate.get()));
    auto req = run("openssl ocsp -issuer " + q(dir / "other-ca.pem") + " -cert " +
                   q(dir / "foreign.pem") + " -reqout " + q(dir / "req.der"));
    ASSERT_EQ(req.exit_code, 0) << req.output;
    test::write_bytes(dir / "resp.der", respond(as_bytes(read_file(dir / "req.der"))));
    EXPECT_EQ(lookups, 0);
    auto check = run("openssl ocsp -respin " + q(dir / "resp.der") + " -CAfile " +
                     q(dir / "ca.pem") + " -VAfile " + q(dir / "ca.pem") + " -issuer " +
                     q(dir / "other-ca.pem") + " -cert " + q(dir / "foreign.pem") + " -no_nonce");
    EXPECT_NE(check.output.find("Response verify OK"), std::string::npos) << check.output;
    EXPECT_NE(check.output.find("foreign.pem: unknown"), std::string::npos) << check.output;
}

TEST_F(PkiOcsp, GarbageRequestGetsMalformedRequestStatus) {
    Bytes response = respond(as_bytes("not an OCSP request"));
    const unsigned char* p = response.data();
    OcspResponsePtr parsed(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response.size())));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(OCSP_response_status(parsed.get()), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    EXPECT_EQ(lookups, 0);
}

}  // namespace
}  // namespace inkan::pki
