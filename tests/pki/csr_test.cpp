// Requests made by the openssl tool (third-party test vectors), parsed by pki.
#include "pki/csr.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/error.h"
#include "pki/encoding.h"
#include "tests/pki/pki_test_support.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace inkan::pki {
namespace {

using inkan::test::read_file;
using inkan::test::run;
using test::q;

class PkiCsr : public ::testing::Test {
  protected:
    // Makes a CSR with `openssl req` for the given -newkey argument; returns the PEM.
    std::string openssl_csr(const std::string& newkey, const std::string& name = "req") {
        auto r = run("cd " + q(dir.path()) + " && openssl req -new -newkey " + newkey +
                     " -nodes -keyout " + name + ".key -subj /CN=Taro -out " + name + ".csr");
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return read_file(dir / (name + ".csr"));
    }
    std::string openssl_spkac(const std::string& newkey) {
        auto r = run("cd " + q(dir.path()) + " && openssl genpkey -algorithm " + newkey +
                     " -out s.key && openssl spkac -digest sha256 -key s.key -challenge hello");
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return r.output;
    }
    static std::string code_of(const std::function<void()>& f) {
        try {
            f();
        } catch (const Error& e) {
            return e.code();
        }
        return "accepted";
    }
    inkan::test::TempDir dir;
};

TEST_F(PkiCsr, EcP256CsrIsAcceptedFromPemDerAndBase64) {
    std::string pem = openssl_csr("ec -pkeyopt ec_paramgen_curve:P-256");
    CheckedCsr checked = parse_and_check_csr(as_bytes(pem));
    EXPECT_EQ(EVP_PKEY_get_base_id(checked.public_key.get()), EVP_PKEY_EC);
    EXPECT_EQ(to_pem(checked.request.get()), pem);

    Bytes der = to_der(checked.request.get());
    EXPECT_EQ(to_der(parse_and_check_csr(der).request.get()), der);
    // Bare base64 of the DER with line breaks, as some web forms post it.
    std::string body = pem.substr(pem.find('\n') + 1);
    body = body.substr(0, body.find("-----END"));
    EXPECT_EQ(to_der(parse_and_check_csr(as_bytes(body)).request.get()), der);
}

TEST_F(PkiCsr, Rsa2048AndP384AreAcceptedRsa1024AndOtherCurvesAreNot) {
    EXPECT_EQ(code_of([&] { parse_and_check_csr(as_bytes(openssl_csr("rsa:2048"))); }), "accepted");
    EXPECT_EQ(code_of([&] {
                  parse_and_check_csr(as_bytes(openssl_csr("ec -pkeyopt ec_paramgen_curve:P-384")));
              }),
              "accepted");
    EXPECT_EQ(code_of([&] { parse_and_check_csr(as_bytes(openssl_csr("rsa:1024"))); }),
              "csr_key_unsupported");
    EXPECT_EQ(code_of([&] {
                  parse_and_check_csr(as_bytes(openssl_csr("ec -pkeyopt ec_paramgen_curve:P-521")));
              }),
              "csr_key_unsupported");
    EXPECT_EQ(code_of([&] { parse_and_check_csr(as_bytes(openssl_csr("ed25519"))); }),
              "csr_key_unsupported");
}

TEST_F(PkiCsr, FlippedSignatureByteIsBadSignature) {
    X509ReqPtr req = parse_csr(as_bytes(openssl_csr("ec -pkeyopt ec_paramgen_curve:P-256")));
    Bytes der = to_der(req.get());
    der.back() ^= 0x01;  // last byte of the ECDSA s value: still parses, no longer verifies
    EXPECT_EQ(code_of([&] { parse_and_check_csr(der); }), "csr_bad_signature");

    X509ReqPtr rsa = parse_csr(as_bytes(openssl_csr("rsa:2048", "rsa")));
    Bytes rsa_der = to_der(rsa.get());
    rsa_der[rsa_der.size() - 100] ^= 0x80;
    EXPECT_EQ(code_of([&] { parse_and_check_csr(rsa_der); }), "csr_bad_signature");
}

TEST_F(PkiCsr, GarbageIsMalformed) {
    for (std::string garbage :
         {std::string(""), std::string("hello world"), std::string("\x30\x03\x02\x01", 4),
          std::string(
              "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")})
        EXPECT_EQ(code_of([&] { parse_and_check_csr(as_bytes(garbage)); }), "csr_malformed")
            << garbage;
    std::string pem = openssl_csr("ec -pkeyopt ec_paramgen_curve:P-256");
    Bytes der = to_der(parse_csr(as_bytes(pem)).get());
    der.push_back(0x00);  // trailing data
    EXPECT_EQ(code_of([&] { parse_and_check_csr(der); }), "csr_malformed");
}

TEST_F(PkiCsr, SpkacFromOpensslIsVerifiedAndItsKeyChecked) {
    SpkacKey key = parse_and_check_spkac(openssl_spkac("EC -pkeyopt ec_paramgen_curve:P-256"));
    EXPECT_EQ(EVP_PKEY_get_base_id(key.public_key.get()), EVP_PKEY_EC);
    EXPECT_EQ(key.challenge, "hello");

    EXPECT_EQ(
        code_of([&] { parse_and_check_spkac(openssl_spkac("RSA -pkeyopt rsa_keygen_bits:1024")); }),
        "csr_key_unsupported");
    EXPECT_EQ(code_of([&] { parse_and_check_spkac("SPKAC=bm90IGFuIHNwa2Fj"); }), "csr_malformed");

    std::string spkac = openssl_spkac("EC -pkeyopt ec_paramgen_curve:P-256");
    std::string b64 = spkac.substr(6);
    while (!b64.empty() && (b64.back() == '\n' || b64.back() == '=')) b64.pop_back();
    // Corrupt a character of the signature near the end (keep base64 valid).
    char& c = b64[b64.size() - 3];
    c = c == 'A' ? 'B' : 'A';
    while (b64.size() % 4) b64 += '=';
    EXPECT_EQ(code_of([&] { parse_and_check_spkac(b64); }), "csr_bad_signature");
}

}  // namespace
}  // namespace inkan::pki
