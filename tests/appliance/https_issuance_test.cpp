// Issue 2 acceptance through the real parts: SoftHSM token, HTTPS on loopback,
// third-party verification (openssl, NSS certutil).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "hsm/keys.h"
#include "pki/encoding.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;

namespace {

std::string make_csr(const test::TempDir& dir, const std::string& name, const std::string& subject,
                     const std::string& newkey = "ec -pkeyopt ec_paramgen_curve:P-256") {
    auto key = (dir / (name + ".key")).string();
    auto csr = (dir / (name + ".csr")).string();
    auto r = test::run("openssl req -new -newkey " + newkey + " -nodes -keyout " + key + " -out " +
                       csr + " -subj " + test::shell_quote(subject));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return test::read_file(csr);
}

size_t stored_certificates(test::ApplianceFixture& f) {
    return f.services().certificates->list({}).size();
}

// The registered subject of the fixture's institution, for a host CN.
std::string subject_for(const std::string& cn) {
    return "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/CN=" + cn;
}

class HttpsIssuance : public ::testing::Test {
  protected:
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;
};

}  // namespace

TEST_F(HttpsIssuance, IssuedCertificateVerifiesWithOpenSslAndNss) {
    auto csr = make_csr(work, "leaf", subject_for("user1.example.ac.jp"));
    auto r = f.operator_client().post("/api/v1/certificates?format=pem", csr);
    ASSERT_EQ(r.status, 201) << r.error << r.body;
    test::write_file(work / "leaf.pem", r.body);
    auto ca = f.config().ca_certificate_path().string();
    auto v = test::run("openssl verify -CAfile " + ca + " -purpose sslclient " +
                       (work / "leaf.pem").string());
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_NE(v.output.find(": OK"), std::string::npos);

    auto db = "sql:" + (work / "nss").string();
    std::filesystem::create_directories(work / "nss");
    for (const auto& cmd :
         {"certutil -N --empty-password -d " + db,
          "certutil -A -d " + db + " -n inkan-ca -t CT,C,C -i " + ca,
          "certutil -A -d " + db + " -n leaf -t ,, -i " + (work / "leaf.pem").string()}) {
        auto c = test::run(cmd);
        ASSERT_EQ(c.exit_code, 0) << cmd << "\n" << c.output;
    }
    auto nss = test::run("certutil -V -u C -d " + db + " -n leaf");
    EXPECT_EQ(nss.exit_code, 0) << nss.output;
    EXPECT_NE(nss.output.find("certificate is valid"), std::string::npos) << nss.output;

    // The JSON form and the look-up by serial agree with the store.
    auto j = json::parse(
        f.operator_client()
            .post("/api/v1/certificates",
                  make_csr(work, "b", "/C=JP/ST=Tokyo/L=Chiyoda-ku/CN=user2.example.ac.jp"))
            .body);
    auto shown = f.operator_client().get("/api/v1/certificates/" + j["serial"].get<std::string>());
    ASSERT_EQ(shown.status, 200);
    EXPECT_EQ(json::parse(shown.body)["certificate_pem"], j["certificate_pem"]);
    // O was completed from the operator's institution, in DER order after L.
    EXPECT_EQ(json::parse(shown.body)["subject"],
              "CN=user2.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP");
    auto by_hex =
        f.operator_client().get("/api/v1/certificates/0x" + j["serial_hex"].get<std::string>());
    EXPECT_EQ(by_hex.status, 200);
}

TEST_F(HttpsIssuance, CaKeyIsSensitiveAndNeverExtractable) {
    auto key = hsm::find_private_key(*f.services().token, appliance::ca_key_lookup(f.config()));
    EXPECT_EQ(key.flag(CKA_EXTRACTABLE), false);
    EXPECT_EQ(key.flag(CKA_SENSITIVE), true);
    EXPECT_EQ(key.flag(CKA_PRIVATE), true);
    EXPECT_EQ(key.flag(CKA_DECRYPT), false);
    try {
        key.attribute(CKA_VALUE);  // the EC private scalar
        FAIL() << "reading the CA private key must be refused";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_attribute_sensitive");
    }
}

TEST_F(HttpsIssuance, RefusesClientsWithoutAValidOperatorCertificate) {
    auto csr = make_csr(work, "x", "/CN=user.example.ac.jp");
    size_t before = stored_certificates(f);
    EXPECT_EQ(f.anonymous_operator_client().post("/api/v1/certificates", csr).status, 0);

    // A certificate from another CA, with the same subject as our operator.
    auto r = test::run("cd " + work.path().string() +
                       " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                       "-keyout foreign.key -out foreign.pem -days 2 -subj '/C=JP/O=Example "
                       "University/OU=RA Operator/CN=op1'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    test::ClientCredential foreign{work / "foreign.pem", work / "foreign.key"};
    EXPECT_EQ(f.client_for(foreign).post("/api/v1/certificates", csr).status, 0);

    // A revoked operator certificate: the TLS layer accepts it, the store refuses it.
    auto revoked = f.add_operator("op2", "Example University");
    auto op2 = f.services().operators->find_by_name("op2");
    f.services().certificates->revoke(op2->certificate_serial, 1, std::nullopt, store::unix_now());
    auto refused = f.client_for(revoked).post("/api/v1/certificates", csr);
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(json::parse(refused.body)["code"], "operator_revoked");
    EXPECT_EQ(stored_certificates(f), before + 1);  // only op2's own certificate was added
}

TEST_F(HttpsIssuance, BadRequestsGetJsonErrorsAndStoreNothing) {
    auto client = f.operator_client();
    size_t before = stored_certificates(f);
    struct Case {
        std::string name;
        std::string body;
        int status;
        std::string code;
    };
    auto good = make_csr(work, "g", subject_for("user.example.ac.jp"));
    auto bad_sig = good;
    {
        // Flip one character of the base64 signature area (near the end of the PEM).
        auto pos = bad_sig.rfind("-----END") - 10;
        bad_sig[pos] = bad_sig[pos] == 'A' ? 'B' : 'A';
    }
    std::vector<Case> cases = {
        {"garbage", "this is not a CSR at all", 400, "csr_malformed"},
        {"bad signature", bad_sig, 400, "csr_bad_signature"},
        {"rsa-1024", make_csr(work, "weak", "/CN=weak.example.ac.jp", "rsa:1024"), 422,
         "csr_key_unsupported"},
        {"other institution", make_csr(work, "o", "/C=JP/O=Other University/CN=u.example.ac.jp"),
         403, "institution_mismatch"},
        {"unknown profile", good, 400, "profile_unknown"},
        {"domain not approved", make_csr(work, "d", subject_for("host.other.ac.jp")), 403,
         "domain_not_approved"},
        {"locality not registered",
         make_csr(work, "l", "/C=JP/ST=Tokyo/L=Minato-ku/O=Example University/CN=l.example.ac.jp"),
         403, "locality_mismatch"},
        {"subject DN rules",
         make_csr(work, "c", "/C=JP/ST=Tokyo/L=City/O=Example University/CN=c.example.ac.jp"), 400,
         "dn_locality_forbidden"},
        {"s/mime from a CSR", good, 400, "profile_requires_request_file"},
    };
    for (const auto& c : cases) {
        auto path =
            std::string("/api/v1/certificates") + (c.name == "unknown profile"     ? "?profile=99"
                                                   : c.name == "s/mime from a CSR" ? "?profile=7"
                                                                                   : "");
        auto r = client.post(path, c.body);
        EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body << r.error;
        if (r.status >= 400) {
            EXPECT_EQ(json::parse(r.body)["code"], c.code) << c.name;
        }
    }
    auto huge = client.post("/api/v1/certificates", std::string(300 * 1024, 'A'));
    EXPECT_EQ(huge.status, 413) << huge.error;
    EXPECT_EQ(stored_certificates(f), before);
}

TEST_F(HttpsIssuance, OperatorsSeeOnlyTheirInstitutionsCertificates) {
    auto csr = make_csr(work, "a", subject_for("mine.example.ac.jp"));
    auto issued = json::parse(f.operator_client().post("/api/v1/certificates", csr).body);
    auto other = f.add_operator("other-op", "Other University");
    auto r = f.client_for(other).get("/api/v1/certificates/" + issued["serial"].get<std::string>());
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(f.operator_client().get("/api/v1/certificates/123456789").status, 404);
    EXPECT_EQ(f.operator_client().get("/api/v1/certificates/not-a-serial").status, 400);
    // The same subject again while the first certificate is valid: the service's code 212.
    auto again = f.operator_client().post("/api/v1/certificates", csr);
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(json::parse(again.body)["code"], "dn_duplicate");
}

TEST_F(HttpsIssuance, PublicEndpointServesCaCertificateAndHealth) {
    auto ca = f.public_client().get("/ca.pem");
    ASSERT_EQ(ca.status, 200) << ca.error;
    EXPECT_EQ(ca.body, test::read_file(f.config().ca_certificate_path()));
    EXPECT_EQ(f.public_client().get("/healthz").status, 200);
}
