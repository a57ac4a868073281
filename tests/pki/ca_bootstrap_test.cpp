#include "pki/ca_bootstrap.h"

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

TEST(PkiCaBootstrap, SelfSignedRootHasCaExtensionsAndVerifiesItself) {
    inkan::test::TempDir dir;
    test::TestCa ca = test::make_test_ca(KeyType::EcP384, 30);
    test::write_text(dir / "ca.pem", to_pem(ca.certificate.get()));
    auto r =
        run("openssl verify -x509_strict -CAfile " + q(dir / "ca.pem") + " " + q(dir / "ca.pem"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto text = run("openssl x509 -noout -text -in " + q(dir / "ca.pem")).output;
    for (const char* expected :
         {"X509v3 Basic Constraints: critical", "CA:TRUE", "X509v3 Key Usage: critical",
          "Digital Signature, Certificate Sign, CRL Sign", "X509v3 Subject Key Identifier",
          "X509v3 Authority Key Identifier", "ecdsa-with-SHA384"})
        EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
    // 30 years from now crosses 2049: notAfter must be GeneralizedTime, notBefore UTCTime.
    EXPECT_EQ(ASN1_STRING_type(X509_get0_notBefore(ca.certificate.get())), V_ASN1_UTCTIME);
    EXPECT_EQ(ASN1_STRING_type(X509_get0_notAfter(ca.certificate.get())), V_ASN1_GENERALIZEDTIME);
    EXPECT_NO_THROW(check_issuing_ca_cert(ca.certificate.get(), ca.signer));
}

TEST(PkiCaBootstrap, CaCsrIsSignedThroughTheSignerAndAnExternallySignedCaIsAccepted) {
    inkan::test::TempDir dir;
    SoftwareSigner issuing = SoftwareSigner::generate(KeyType::EcP256);
    X509ReqPtr csr =
        make_ca_csr(issuing, {{"C", "JP"}, {"O", "Inkan Test"}, {"CN", "Inkan Issuing CA"}}, 0);
    test::write_text(dir / "ca.csr", to_pem(csr.get()));
    auto verify = run("openssl req -verify -noout -in " + q(dir / "ca.csr"));
    ASSERT_EQ(verify.exit_code, 0) << verify.output;

    // An external root (made with the openssl tool) signs the request, copying its extensions.
    auto root = run(
        "cd " + q(dir.path()) +
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key"
        " -out root.pem -subj /CN=External-Root -days 30"
        " && openssl x509 -req -in ca.csr -CA root.pem -CAkey root.key -CAcreateserial"
        " -copy_extensions copyall -days 10 -out issuing.pem");
    ASSERT_EQ(root.exit_code, 0) << root.output;
    X509Ptr issuing_cert = parse_certificate(as_bytes(inkan::test::read_file(dir / "issuing.pem")));
    EXPECT_NO_THROW(check_issuing_ca_cert(issuing_cert.get(), issuing));
    EXPECT_NO_THROW(CertificateIssuer(issuing, issuing_cert.get(), {}));

    SoftwareSigner other = SoftwareSigner::generate(KeyType::EcP256);
    try {
        check_issuing_ca_cert(issuing_cert.get(), other);
        FAIL() << "imported CA certificate accepted for another key";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "issuer_key_mismatch");
    }
}

TEST(PkiCaBootstrap, CaCertificateWithoutCrlSignIsRefused) {
    inkan::test::TempDir dir;
    SoftwareSigner signer = SoftwareSigner::generate(KeyType::EcP256);
    test::write_text(dir / "key.pem", private_key_to_pem(signer.private_key()));
    auto r =
        run("cd " + q(dir.path()) +
            " && openssl req -x509 -key key.pem -out ca.pem -subj /CN=NoCrlSign -days 30"
            " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    X509Ptr cert = parse_certificate(as_bytes(inkan::test::read_file(dir / "ca.pem")));
    try {
        check_issuing_ca_cert(cert.get(), signer);
        FAIL() << "CA certificate without cRLSign accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "issuer_key_usage");
    }
}

}  // namespace
}  // namespace inkan::pki
