#include "pki/pkcs12.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "pki/encoding.h"
#include "tests/pki/pki_test_support.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace inkan::pki {
namespace {

using inkan::test::run;
using test::q;

class PkiPkcs12 : public ::testing::Test {
  protected:
    void SetUp() override {
        leaf =
            issuer.issue(issuer.prepare(test::make_request(test::default_profile(5), key.get())));
    }
    Bytes build(Pkcs12Encryption encryption) {
        return build_pkcs12(key.get(), leaf.certificate.get(), {ca.certificate.get()}, password,
                            "Taro Yamada", Pkcs12Options{encryption, 2048});
    }
    std::string info(const std::string& file, const std::string& pass,
                     const std::string& extra = "") {
        auto r = run("openssl pkcs12 -info -noout " + extra + " -in " + q(dir / file) +
                     " -passin pass:" + pass);
        last_exit = r.exit_code;
        return r.output;
    }

    inkan::test::TempDir dir;
    test::TestCa ca = test::make_test_ca(KeyType::EcP256);
    CertificateIssuer issuer{ca.signer, ca.certificate.get(), test::test_issuer_options()};
    EvpPkeyPtr key = generate_key(KeyType::Rsa2048);
    IssuedCertificate leaf;
    SecretString password{"Pin-4711-xyz"};
    int last_exit = -1;
};

TEST_F(PkiPkcs12, ModernFileUsesAesPbkdf2AndSha256MacAndImportsIntoNss) {
    test::write_bytes(dir / "x.p12", build(Pkcs12Encryption::Aes256Pbkdf2));
    std::string out = info("x.p12", password.str());
    ASSERT_EQ(last_exit, 0) << out;
    EXPECT_NE(out.find("MAC: sha256"), std::string::npos) << out;
    EXPECT_NE(out.find("PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << out;
    EXPECT_NE(out.find("hmacWithSHA256"), std::string::npos) << out;
    EXPECT_EQ(out.find("3DES"), std::string::npos) << out;

    info("x.p12", "wrong-password");
    EXPECT_NE(last_exit, 0);

    // Key, leaf and chain come back out.
    auto certs = run("openssl pkcs12 -in " + q(dir / "x.p12") + " -passin pass:" + password.str() +
                     " -nokeys");
    EXPECT_EQ(certs.exit_code, 0) << certs.output;
    EXPECT_NE(certs.output.find("friendlyName: Taro Yamada"), std::string::npos) << certs.output;
    EXPECT_NE(certs.output.find("subject=C = JP, O = Inkan Test, CN = Inkan Test CA"),
              std::string::npos)
        << certs.output;

    std::filesystem::create_directory(dir / "nss");
    std::string db = inkan::test::shell_quote("sql:" + (dir / "nss").string());
    ASSERT_EQ(run("certutil -N --empty-password -d " + db).exit_code, 0);
    auto imported = run("pk12util -i " + q(dir / "x.p12") + " -d " + db + " -W " + password.str());
    EXPECT_EQ(imported.exit_code, 0) << imported.output;
    auto keys = run("certutil -K -d " + db);
    EXPECT_NE(keys.output.find("rsa"), std::string::npos) << keys.output;
    auto wrong = run("pk12util -i " + q(dir / "x.p12") + " -d " + db + " -W nope");
    EXPECT_NE(wrong.exit_code, 0) << wrong.output;
}

TEST_F(PkiPkcs12, LegacyFileUsesTripleDesAndSha1Mac) {
    test::write_bytes(dir / "legacy.p12", build(Pkcs12Encryption::LegacyTripleDesSha1));
    std::string out = info("legacy.p12", password.str(), "-legacy");
    ASSERT_EQ(last_exit, 0) << out;
    EXPECT_NE(out.find("MAC: sha1"), std::string::npos) << out;
    EXPECT_NE(out.find("pbeWithSHA1And3-KeyTripleDES-CBC"), std::string::npos) << out;
    EXPECT_EQ(out.find("AES"), std::string::npos) << out;
    info("legacy.p12", "wrong-password", "-legacy");
    EXPECT_NE(last_exit, 0);
}

TEST_F(PkiPkcs12, ForeignKeyAndEmptyPasswordAreRefused) {
    EvpPkeyPtr other = generate_key(KeyType::EcP256);
    try {
        build_pkcs12(other.get(), leaf.certificate.get(), {}, password, "x");
        FAIL() << "foreign key accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "pkcs12_key_mismatch");
    }
    EXPECT_THROW(build_pkcs12(key.get(), leaf.certificate.get(), {}, SecretString{}, "x"), Error);
}

TEST_F(PkiPkcs12, CertsOnlyPkcs7ChainParsesWithOpenssl) {
    test::write_bytes(dir / "chain.p7b",
                      pkcs7_certs_only_der({leaf.certificate.get(), ca.certificate.get()}));
    test::write_text(dir / "chain.p7c",
                     pkcs7_certs_only_pem({leaf.certificate.get(), ca.certificate.get()}));
    auto der = run("openssl pkcs7 -inform DER -print_certs -noout -in " + q(dir / "chain.p7b"));
    EXPECT_EQ(der.exit_code, 0) << der.output;
    EXPECT_NE(der.output.find("subject=C = JP, ST = Tokyo"), std::string::npos) << der.output;
    EXPECT_NE(der.output.find("subject=C = JP, O = Inkan Test, CN = Inkan Test CA"),
              std::string::npos)
        << der.output;
    auto pem = run("openssl pkcs7 -print_certs -noout -in " + q(dir / "chain.p7c"));
    EXPECT_EQ(pem.exit_code, 0) << pem.output;
    EXPECT_EQ(pem.output, der.output);
    auto cms = run("openssl cms -cmsout -print -inform DER -in " + q(dir / "chain.p7b"));
    EXPECT_NE(cms.output.find("eContentType: pkcs7-data"), std::string::npos) << cms.output;
    EXPECT_NE(cms.output.find("eContent: <ABSENT>"), std::string::npos) << cms.output;
}

}  // namespace
}  // namespace inkan::pki
