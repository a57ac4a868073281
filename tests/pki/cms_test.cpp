// Detached CMS SignedData from a pki::Signer (no private key in OpenSSL):
// verifies in-process and with `openssl cms -verify`, for EC and RSA signers.
#include "pki/cms.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "pki/encoding.h"
#include "tests/pki/pki_test_support.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace inkan::pki {
namespace {

struct SmimeIdentity {
    SoftwareSigner signer;
    X509Ptr certificate;
};

SmimeIdentity smime_identity(test::TestCa& ca, KeyType type) {
    CertificateIssuer issuer{ca.signer, ca.certificate.get(), test::test_issuer_options()};
    SoftwareSigner signer = SoftwareSigner::generate(type);
    IssuanceRequest request = test::make_request(test::default_profile(16), signer.public_key());
    request.email_addresses = {"notify@example.ac.jp"};
    return {std::move(signer), issuer.issue(issuer.prepare(request)).certificate};
}

const std::string kContent = "Content-Type: text/plain; charset=UTF-8\r\n\r\nhello\r\n";

}  // namespace

TEST(PkiCms, EcAndRsaSignaturesVerifyInProcessAndWithOpenSsl) {
    test::TestCa ca = test::make_test_ca(KeyType::EcP256);
    for (KeyType type : {KeyType::EcP256, KeyType::Rsa2048}) {
        SmimeIdentity id = smime_identity(ca, type);
        Bytes cms = sign_detached_cms(id.signer, id.certificate.get(), {ca.certificate.get()},
                                      as_bytes(kContent), std::chrono::system_clock::now());
        EXPECT_NO_THROW(verify_detached_cms(cms, as_bytes(kContent), {ca.certificate.get()}));

        inkan::test::TempDir dir;
        test::write_bytes(dir / "sig.der", cms);
        test::write_text(dir / "content.txt", kContent);
        test::write_text(dir / "ca.pem", to_pem(ca.certificate.get()));
        auto r = inkan::test::run("openssl cms -verify -binary -inform DER -in " +
                                  test::q(dir / "sig.der") + " -content " +
                                  test::q(dir / "content.txt") + " -CAfile " +
                                  test::q(dir / "ca.pem") + " -out /dev/null 2>&1");
        EXPECT_EQ(r.exit_code, 0) << r.output;
        auto attrs = inkan::test::run("openssl cms -cmsout -print -inform DER -in " +
                                      test::q(dir / "sig.der"));
        for (const char* attr : {"contentType", "signingTime", "messageDigest"})
            EXPECT_NE(attrs.output.find(attr), std::string::npos) << attr << attrs.output;
        EXPECT_NE(
            attrs.output.find(type == KeyType::EcP256 ? "ecdsa-with-SHA256" : "rsaEncryption"),
            std::string::npos)
            << attrs.output;

        std::string other = kContent;
        other[other.size() - 3] = 'O';
        try {
            verify_detached_cms(cms, as_bytes(other), {ca.certificate.get()});
            ADD_FAILURE() << "changed content must not verify";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), "cms_invalid");
        }
    }
}

TEST(PkiCms, CertificateOfAnotherKeyIsRefused) {
    test::TestCa ca = test::make_test_ca(KeyType::EcP256);
    SmimeIdentity id = smime_identity(ca, KeyType::EcP256);
    SoftwareSigner other = SoftwareSigner::generate(KeyType::EcP256);
    try {
        sign_detached_cms(other, id.certificate.get(), {ca.certificate.get()}, as_bytes(kContent),
                          std::chrono::system_clock::now());
        ADD_FAILURE() << "a certificate of another key must be refused";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "signer_certificate_mismatch");
    }
}

TEST(PkiCms, ClientAuthCertificateDoesNotSignMail) {
    test::TestCa ca = test::make_test_ca(KeyType::EcP256);
    CertificateIssuer issuer{ca.signer, ca.certificate.get(), test::test_issuer_options()};
    SoftwareSigner signer = SoftwareSigner::generate(KeyType::EcP256);
    auto cert = issuer
                    .issue(issuer.prepare(
                        test::make_request(test::default_profile(5), signer.public_key())))
                    .certificate;
    try {
        sign_detached_cms(signer, cert.get(), {ca.certificate.get()}, as_bytes(kContent),
                          std::chrono::system_clock::now());
        ADD_FAILURE() << "no emailProtection: the signature must not verify";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "signature_verification_failed");
    }
}

}  // namespace inkan::pki
