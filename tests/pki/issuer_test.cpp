// End-to-end issuance checked by three independent verifiers: OpenSSL, NSS, GnuTLS.
#include "pki/issuer.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "pki/encoding.h"
#include "pki/serial.h"
#include "tests/pki/pki_test_support.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace inkan::pki {
namespace {

using inkan::test::run;
using inkan::test::TempDir;
using test::q;

class PkiIssuer : public ::testing::Test {
  protected:
    void SetUp() override { write_text(dir / "ca.pem", to_pem(ca.certificate.get())); }
    void write_leaf(const IssuedCertificate& issued) {
        write_text(dir / "leaf.pem", to_pem(issued.certificate.get()));
    }
    static void write_text(const std::filesystem::path& p, const std::string& s) {
        test::write_text(p, s);
    }

    std::string x509_text() {
        auto r = run("openssl x509 -noout -text -in " + q(dir / "leaf.pem"));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return r.output;
    }
    void expect_openssl_verifies(const std::string& purpose) {
        auto r = run("openssl verify -purpose " + purpose + " -CAfile " + q(dir / "ca.pem") + " " +
                     q(dir / "leaf.pem"));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_NE(r.output.find(": OK"), std::string::npos) << r.output;
    }
    void expect_gnutls_verifies() {
        auto r = run("certtool --verify --load-ca-certificate " + q(dir / "ca.pem") + " --infile " +
                     q(dir / "leaf.pem"));
        EXPECT_EQ(r.exit_code, 0) << r.output;
    }
    void expect_nss_verifies(const std::string& usage) {
        std::string db = "sql:" + (dir / "nss").string();
        std::filesystem::create_directory(dir / "nss");
        auto steps = {
            "certutil -N --empty-password -d " + inkan::test::shell_quote(db),
            "certutil -A -n ca -t CT,C,C -d " + inkan::test::shell_quote(db) + " -i " +
                q(dir / "ca.pem"),
            "certutil -A -n leaf -t ,, -d " + inkan::test::shell_quote(db) + " -i " +
                q(dir / "leaf.pem"),
        };
        for (const auto& cmd : steps) {
            auto r = run(cmd);
            ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
        }
        auto r = run("certutil -V -u " + usage + " -n leaf -d " + inkan::test::shell_quote(db));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_NE(r.output.find("certificate is valid"), std::string::npos) << r.output;
    }

    TempDir dir;
    test::TestCa ca = test::make_test_ca(KeyType::EcP256);
    CertificateIssuer issuer{ca.signer, ca.certificate.get(), test::test_issuer_options()};
};

TEST_F(PkiIssuer, ClientCertificateVerifiesWithOpenSslNssAndGnuTls) {
    EvpPkeyPtr key = generate_key(KeyType::EcP256);
    IssuanceRequest request = test::make_request(test::default_profile(5), key.get());
    PreparedCertificate prepared = issuer.prepare(request);
    IssuedCertificate issued = issuer.issue(std::move(prepared));
    EXPECT_EQ(issued.der, to_der(issued.certificate.get()));
    EXPECT_EQ(serial_of(issued.certificate.get()), request.serial);
    write_leaf(issued);

    expect_openssl_verifies("sslclient");
    std::string text = x509_text();
    for (const char* expected :
         {"X509v3 Key Usage: critical", "Digital Signature", "TLS Web Client Authentication",
          "X509v3 Basic Constraints: critical", "CA:FALSE", "X509v3 Subject Key Identifier",
          "X509v3 Authority Key Identifier", "URI:http://ca.example.ac.jp/crl/ca.crl",
          "OCSP - URI:http://ca.example.ac.jp/ocsp",
          "CA Issuers - URI:http://ca.example.ac.jp/ca.crt", "Policy: 1.3.6.1.4.1.51126.1.1",
          "Signature Algorithm: ecdsa-with-SHA256",
          "C = JP, ST = Tokyo, L = Chiyoda-ku, O = Example University, OU = Engineering, CN = Taro "
          "Yamada"})
        EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                          << text;
    EXPECT_EQ(text.find("Key Encipherment"), std::string::npos)
        << "EC subject key must not get keyEncipherment";
    expect_gnutls_verifies();
    expect_nss_verifies("C");
}

TEST_F(PkiIssuer, SmimeCertificateCarriesMailAddressAndVerifies) {
    EvpPkeyPtr key = generate_key(KeyType::Rsa2048);
    IssuanceRequest request = test::make_request(test::default_profile(7), key.get());
    request.email_addresses = {"taro@example.ac.jp", "t.yamada@example.ac.jp"};
    IssuedCertificate issued = issuer.issue(issuer.prepare(request));
    write_leaf(issued);

    expect_openssl_verifies("smimesign");
    std::string text = x509_text();
    for (const char* expected :
         {"E-mail Protection", "email:taro@example.ac.jp, email:t.yamada@example.ac.jp",
          "Digital Signature, Key Encipherment"})
        EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                          << text;
    expect_gnutls_verifies();
    expect_nss_verifies("S");
}

TEST_F(PkiIssuer, ProfileValidityIsAddedInCalendarMonths) {
    EvpPkeyPtr key = generate_key(KeyType::EcP256);
    IssuanceRequest request = test::make_request(test::default_profile(13), key.get());
    using namespace std::chrono;
    request.not_before = sys_days{year{2027} / 1 / 31} + hours(12);
    PreparedCertificate prepared = issuer.prepare(request);
    // 31 Jan 2027 + 13 months = 29 Feb 2028 (clamped, leap year), minus one second.
    EXPECT_EQ(prepared.not_after(), sys_days{year{2028} / 2 / 29} + hours(12) - seconds(1));
    request.not_before = sys_days{year{2027} / 3 / 15};
    EXPECT_EQ(issuer.prepare(request).not_after(), sys_days{year{2028} / 4 / 15} - seconds(1));
}

TEST_F(PkiIssuer, RsaIssuerSignsWithSha256WithRsaEncryption) {
    test::TestCa rsa_ca = test::make_test_ca(KeyType::Rsa3072);
    CertificateIssuer rsa_issuer(rsa_ca.signer, rsa_ca.certificate.get(),
                                 test::test_issuer_options());
    write_text(dir / "ca.pem", to_pem(rsa_ca.certificate.get()));
    EvpPkeyPtr key = generate_key(KeyType::EcP384);
    IssuedCertificate issued = rsa_issuer.issue(
        rsa_issuer.prepare(test::make_request(test::default_profile(14), key.get())));
    write_leaf(issued);
    EXPECT_EQ(X509_get_signature_nid(issued.certificate.get()), NID_sha256WithRSAEncryption);
    expect_openssl_verifies("sslclient");
    expect_gnutls_verifies();
    expect_nss_verifies("C");
}

TEST_F(PkiIssuer, TlsServerCertificateForTheApplianceVerifiesForLocalhost) {
    EvpPkeyPtr key = generate_key(KeyType::EcP256);
    IssuanceRequest request = test::make_request(tls_server_profile(), key.get());
    request.subject = {{"CN", "localhost"}};
    request.dns_names = {"localhost"};
    request.ip_addresses = {"127.0.0.1", "::1"};
    IssuedCertificate issued = issuer.issue(issuer.prepare(request));
    write_leaf(issued);
    auto r =
        run("openssl verify -purpose sslserver -verify_hostname localhost -verify_ip 127.0.0.1 "
            "-CAfile " +
            q(dir / "ca.pem") + " " + q(dir / "leaf.pem"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::string text = x509_text();
    EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos) << text;
    EXPECT_NE(text.find("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"),
              std::string::npos)
        << text;
}

TEST_F(PkiIssuer, PreparedCertificateIsIssuedOnceAndOnlyByItsIssuer) {
    EvpPkeyPtr key = generate_key(KeyType::EcP256);
    PreparedCertificate prepared =
        issuer.prepare(test::make_request(test::default_profile(5), key.get()));
    Bytes tbs = prepared.tbs_der();
    IssuedCertificate issued = issuer.issue(std::move(prepared));
    // The signed body is exactly the prepared one.
    unsigned char* der = nullptr;
    int len = i2d_re_X509_tbs(issued.certificate.get(), &der);
    OpenSslBytes owned(der);
    EXPECT_EQ(Bytes(der, der + len), tbs);
    try {
        issuer.issue(
            std::move(prepared));  // NOLINT(bugprone-use-after-move): the point of the test
        FAIL() << "a consumed prepared certificate was signed";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "prepared_certificate_invalid");
    }
    test::TestCa other_ca = test::make_test_ca(KeyType::EcP256);
    CertificateIssuer other(other_ca.signer, other_ca.certificate.get(), {});
    PreparedCertificate foreign =
        other.prepare(test::make_request(test::default_profile(5), key.get()));
    EXPECT_THROW(issuer.issue(std::move(foreign)), Error);
}

TEST_F(PkiIssuer, ConstructionRefusesMismatchedKeyAndNonCaCertificates) {
    SoftwareSigner stranger = SoftwareSigner::generate(KeyType::EcP256);
    try {
        CertificateIssuer bad(stranger, ca.certificate.get(), {});
        FAIL() << "mismatched key accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "issuer_key_mismatch");
    }
    // An end-entity certificate whose key we hold is not a CA.
    SoftwareSigner leaf_signer = SoftwareSigner::generate(KeyType::EcP256);
    IssuedCertificate leaf = issuer.issue(
        issuer.prepare(test::make_request(test::default_profile(5), leaf_signer.public_key())));
    try {
        CertificateIssuer bad(leaf_signer, leaf.certificate.get(), {});
        FAIL() << "end-entity certificate accepted as issuer";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "issuer_not_ca");
    }
}

}  // namespace
}  // namespace inkan::pki
