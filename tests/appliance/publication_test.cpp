// Issue 8 points 4 and 5: the CRL signed in the HSM and kept in the store, and
// the plain-HTTP publication listener (CRL, CA certificate, OCSP), checked with
// curl and the openssl command line against a whole appliance on SoftHSM.
#include "appliance/publication.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "appliance/periodic_task.h"
#include "store/database.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;
using test::shell_quote;

namespace {

class Publication : public ::testing::Test {
  protected:
    std::string ca() const { return f.config().ca_certificate_path().string(); }
    std::string path(const std::string& name) const { return (work / name).string(); }
    std::string url(const std::string& resource) const { return f.crl_base_url() + resource; }

    // Issues a certificate for a direct CSR over the operator API; returns its serial (hex).
    std::string issue(const std::string& name) {
        auto r = test::run(
            "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
            path(name + ".key") + " -out " + path(name + ".csr") +
            " -subj '/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/CN=" + name +
            ".example.ac.jp'");
        EXPECT_EQ(r.exit_code, 0) << r.output;
        auto issued =
            f.operator_client().post("/api/v1/certificates", test::read_file(path(name + ".csr")));
        EXPECT_EQ(issued.status, 201) << issued.error << issued.body;
        auto j = json::parse(issued.body);
        test::write_file(path(name + ".pem"), j["certificate_pem"].get<std::string>());
        return j["serial_hex"];
    }

    // GET over plain HTTP into `file`; returns "<status> <content type>".
    std::string fetch(const std::string& resource, const std::string& file) {
        auto r = test::run("curl -s -o " + path(file) + " -w '%{http_code} %{content_type}' " +
                           shell_quote(url(resource)));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return r.output;
    }

    // Fetches the CRL as crl-<tag>.der/.pem, checks its signature; returns its number.
    long fetch_crl(const std::string& tag) {
        EXPECT_EQ(fetch("/crl/inkan-ca.crl", "crl-" + tag + ".der"), "200 application/pkix-crl");
        auto verify = test::run("openssl crl -inform DER -in " + path("crl-" + tag + ".der") +
                                " -CAfile " + ca() + " -noout");
        EXPECT_EQ(verify.exit_code, 0) << verify.output;
        EXPECT_NE(verify.output.find("verify OK"), std::string::npos) << verify.output;
        auto pem = test::run("openssl crl -inform DER -in " + path("crl-" + tag + ".der") +
                             " -out " + path("crl-" + tag + ".pem"));
        EXPECT_EQ(pem.exit_code, 0) << pem.output;
        auto number =
            test::run("openssl crl -in " + path("crl-" + tag + ".pem") + " -noout -crlnumber");
        std::smatch m;
        if (!std::regex_search(number.output, m, std::regex("crlNumber=0x([0-9A-Fa-f]+)"))) {
            ADD_FAILURE() << number.output;
            return -1;
        }
        return std::stol(m[1], nullptr, 16);
    }

    test::RunResult verify_with_crl(const std::string& leaf, const std::string& tag) {
        return test::run("openssl verify -crl_check -CRLfile " + path("crl-" + tag + ".pem") +
                         " -CAfile " + ca() + " " + path(leaf + ".pem"));
    }

    test::RunResult ocsp(const std::string& what) {
        return test::run("openssl ocsp -issuer " + ca() + " " + what + " -url " + url("/ocsp") +
                         " -CAfile " + ca() + " 2>&1");
    }

    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;
};

// An OCSPResponse file's text (openssl ocsp -resp_text).
std::string response_text(const std::string& file) {
    return test::run("openssl ocsp -respin " + file + " -resp_text 2>&1").output;
}

}  // namespace

TEST_F(Publication, CrlFollowsARevocationWithAHigherNumber) {
    std::string serial = issue("leaf");
    long first = fetch_crl("before");
    EXPECT_GE(first, 1) << "serve publishes a CRL at start";
    auto accepted = verify_with_crl("leaf", "before");
    EXPECT_EQ(accepted.exit_code, 0) << accepted.output;

    f.services().certificates->revoke(serial, 1, std::string("key lost"), store::unix_now());
    auto published = f.services().crl_publisher->regenerate();  // as a revocation batch does
    long second = fetch_crl("after");
    EXPECT_GT(second, first);
    EXPECT_EQ(second, published.number);
    auto text = test::run("openssl crl -in " + path("crl-after.pem") + " -noout -text").output;
    std::string upper = serial.size() % 2 ? "0" + serial : serial;  // openssl prints whole bytes
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NE(text.find("Serial Number: " + upper), std::string::npos) << text;
    EXPECT_NE(text.find("Key Compromise"), std::string::npos) << text;
    EXPECT_NE(text.find("Invalidity Date"), std::string::npos) << text;
    EXPECT_NE(text.find("X509v3 Authority Key Identifier"), std::string::npos) << text;
    EXPECT_NE(text.find("Next Update"), std::string::npos) << text;
    auto rejected = verify_with_crl("leaf", "after");
    EXPECT_NE(rejected.exit_code, 0) << rejected.output;
    EXPECT_NE(rejected.output.find("certificate revoked"), std::string::npos) << rejected.output;
}

// Issue 8 (revocation by request file) end to end: the RA operator uploads a
// revoke file naming the serial in decimal; the CRL published right after the
// batch lists it and OCSP says revoked with the reason.
TEST_F(Publication, RevocationFileIsVisibleToRelyingPartiesAtOnce) {
    std::string serial_hex = issue("gone");
    long before = fetch_crl("upload-before");
    auto view = f.operator_client().get("/api/v1/certificates/0x" + serial_hex);
    ASSERT_EQ(view.status, 200) << view.body;
    auto cert = json::parse(view.body);
    std::string line = cert["subject"].get<std::string>() + "\t\t\t" +
                       cert["serial"].get<std::string>() + "\t1\t\t\t\t\t\t\t\t\t\t\r\n";
    auto r = f.operator_client().post("/api/v1/requests?action=revoke&on_error=abort", line,
                                      "text/tab-separated-values");
    ASSERT_EQ(r.status, 201) << r.body;
    auto result = json::parse(r.body);
    ASSERT_EQ(result["revoked"].size(), 1u) << r.body;
    EXPECT_EQ(result["revoked"][0]["serial"], cert["serial"]);
    EXPECT_GT(fetch_crl("upload-after"), before) << "one regeneration after the batch";
    auto rejected = verify_with_crl("gone", "upload-after");
    EXPECT_NE(rejected.output.find("certificate revoked"), std::string::npos) << rejected.output;
    auto status = ocsp("-cert " + path("gone.pem"));
    EXPECT_NE(status.output.find("revoked"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("keyCompromise"), std::string::npos) << status.output;
    // The same file again: a notice, nothing revoked, not an error.
    auto again = f.operator_client().post("/api/v1/requests?action=revoke&on_error=abort", line,
                                          "text/tab-separated-values");
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(json::parse(again.body)["report"]["notices"][0]["code"], "already_revoked");
}

TEST_F(Publication, CrlValidityComesFromConfigAndTheTimerRenewsAtHalfOfIt) {
    auto latest = f.services().crl_publisher->latest();
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->next_update - latest->this_update, 24 * 3600)
        << "ca.crl_validity_hours default";
    auto at = [&](int64_t unix_seconds) {
        return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
    };
    auto& publisher = *f.services().crl_publisher;
    EXPECT_FALSE(publisher.refresh_if_due(at(latest->this_update + 60))) << "nothing changed";
    auto renewed = publisher.refresh_if_due(at(latest->this_update + 12 * 3600));
    ASSERT_TRUE(renewed) << "half the validity has passed";
    EXPECT_EQ(renewed->number, latest->number + 1);
    EXPECT_FALSE(publisher.refresh_if_due(at(renewed->this_update + 60)));
    // A revocation made elsewhere (no regenerate() call) is picked up by the timer.
    std::string serial = issue("other");
    f.services().certificates->revoke(serial, 4, std::nullopt, store::unix_now());
    auto after_revocation = publisher.refresh_if_due(at(renewed->this_update + 60));
    ASSERT_TRUE(after_revocation);
    EXPECT_EQ(after_revocation->revoked_count, 1);
    EXPECT_EQ(fetch("/crl/other-name.crl", "none"), "404 application/json");
}

TEST_F(Publication, OcspSaysGoodThenRevokedWithTheReasonAndUnknownForOtherSerials) {
    std::string serial = issue("leaf");
    auto good = ocsp("-cert " + path("leaf.pem"));
    EXPECT_EQ(good.exit_code, 0) << good.output;
    EXPECT_NE(good.output.find("Response verify OK"), std::string::npos) << good.output;
    EXPECT_NE(good.output.find(path("leaf.pem") + ": good"), std::string::npos) << good.output;
    EXPECT_EQ(good.output.find("nonce"), std::string::npos) << "the nonce is echoed\n"
                                                            << good.output;

    auto unknown = ocsp("-serial 0x1234");
    EXPECT_EQ(unknown.exit_code, 0) << unknown.output;
    EXPECT_NE(unknown.output.find("0x1234: unknown"), std::string::npos) << unknown.output;

    f.services().certificates->revoke(serial, 1, std::nullopt, store::unix_now());
    auto revoked = ocsp("-cert " + path("leaf.pem"));
    EXPECT_EQ(revoked.exit_code, 0) << revoked.output;
    EXPECT_NE(revoked.output.find(path("leaf.pem") + ": revoked"), std::string::npos)
        << revoked.output;
    EXPECT_NE(revoked.output.find("Reason: keyCompromise"), std::string::npos) << revoked.output;
    EXPECT_NE(revoked.output.find("Revocation Time"), std::string::npos) << revoked.output;
}

TEST_F(Publication, OcspOverGetAndGarbageIsMalformedRequest) {
    issue("leaf");
    // A real request (with a nonce), base64 and URL-encoded into the path.
    auto req = test::run("openssl ocsp -issuer " + ca() + " -cert " + path("leaf.pem") +
                         " -reqout " + path("req.der"));
    ASSERT_EQ(req.exit_code, 0) << req.output;
    auto b64 = test::run("base64 -w0 " + path("req.der")).output;
    std::string encoded = test::percent_encode_base64(b64);
    EXPECT_EQ(fetch("/ocsp/" + encoded, "get.der"), "200 application/ocsp-response");
    auto text = response_text(path("get.der"));
    EXPECT_NE(text.find("OCSP Response Status: successful"), std::string::npos) << text;
    EXPECT_NE(text.find("Cert Status: good"), std::string::npos) << text;
    EXPECT_NE(text.find("OCSP Nonce"), std::string::npos) << text;
    // Unescaped base64 (slashes and plus signs as they are) works too.
    EXPECT_EQ(fetch("/ocsp/" + b64, "raw.der"), "200 application/ocsp-response");
    EXPECT_NE(response_text(path("raw.der")).find("Cert Status: good"), std::string::npos);

    auto garbage = test::run("curl -s -o " + path("garbage.der") +
                             " -w '%{http_code}' -H 'Content-Type: application/ocsp-request' "
                             "--data-binary 'not an OCSP request' " +
                             shell_quote(url("/ocsp")));
    EXPECT_EQ(garbage.output, "200");
    EXPECT_NE(response_text(path("garbage.der")).find("Responder Error: malformedrequest (1)"),
              std::string::npos)
        << response_text(path("garbage.der"));
    for (const std::string bad : {"/ocsp/%%%not-base64!!", "/ocsp/AAAA", "/ocsp/%2"}) {
        EXPECT_EQ(fetch(bad, "bad.der"), "200 application/ocsp-response") << bad;
        EXPECT_NE(response_text(path("bad.der")).find("Responder Error: malformedrequest (1)"),
                  std::string::npos)
            << bad;
    }
    auto empty = test::run("curl -s -o " + path("empty.der") + " -w '%{http_code}' -X POST " +
                           shell_quote(url("/ocsp")));
    EXPECT_EQ(empty.output, "200");
    EXPECT_NE(response_text(path("empty.der")).find("Responder Error: malformedrequest (1)"),
              std::string::npos);
    // Still answering.
    EXPECT_EQ(ocsp("-cert " + path("leaf.pem")).exit_code, 0);
}

TEST_F(Publication, CaCertificateIsTheDerOfCaPem) {
    EXPECT_EQ(fetch("/ca.crt", "ca.der"), "200 application/pkix-cert");
    auto der = test::run("openssl x509 -in " + ca() + " -outform DER -out " + path("expected.der"));
    ASSERT_EQ(der.exit_code, 0) << der.output;
    EXPECT_EQ(test::read_file(path("ca.der")), test::read_file(path("expected.der")));
    EXPECT_FALSE(test::read_file(path("ca.der")).empty());
}

TEST_F(Publication, IssuedCertificatesNameThePublicationListener) {
    issue("leaf");
    auto text = test::run("openssl x509 -in " + path("leaf.pem") + " -noout -text").output;
    EXPECT_NE(text.find("URI:http://127.0.0.1:8080/crl/inkan-ca.crl"), std::string::npos) << text;
    EXPECT_NE(text.find("OCSP - URI:http://127.0.0.1:8080/ocsp"), std::string::npos) << text;
    EXPECT_NE(text.find("CA Issuers - URI:http://127.0.0.1:8080/ca.crt"), std::string::npos)
        << text;
}

namespace {

// A CrlStore whose next insert loses a race: another process stores that
// number first.
class RacedCrlStore final : public store::CrlStore {
  public:
    explicit RacedCrlStore(store::CrlStore& real) : real_(real) {}
    std::optional<store::CrlRecord> latest() override { return real_.latest(); }
    int64_t revoked_count() override { return real_.revoked_count(); }
    void insert(const store::CrlRecord& record) override {
        if (race_next) {
            race_next = false;
            real_.insert({record.number, record.this_update, record.next_update, 0, {0x30, 0x00}});
        }
        real_.insert(record);
    }
    bool race_next = false;

  private:
    store::CrlStore& real_;
};

}  // namespace

TEST_F(Publication, ANumberTakenByAnotherProcessIsSkipped) {
    auto& s = f.services();
    RacedCrlStore raced(*s.crls);
    ca::CrlPublisher other(*s.signer, s.ca_certificate.get(), *s.certificates, raced,
                           std::chrono::hours(1));
    long before = s.crls->latest()->number;
    raced.race_next = true;
    auto published = other.regenerate();
    EXPECT_EQ(published.number, before + 2);
    EXPECT_EQ(s.crls->latest()->number, before + 2);
    EXPECT_EQ(s.crls->latest()->der, published.der);
    EXPECT_EQ(published.next_update - published.this_update, 3600);
    EXPECT_EQ(fetch_crl("raced"), before + 2);
}

TEST_F(Publication, TheServeTimerPublishesARevocationNobodyRegenerated) {
    auto& publisher = *f.services().crl_publisher;
    long before = publisher.latest()->number;
    appliance::PeriodicTask refresher("CRL regeneration", std::chrono::seconds(1),
                                      appliance::crl_refresh(publisher));
    refresher.start();
    std::string serial = issue("leaf");
    f.services().certificates->revoke(serial, 5, std::nullopt, store::unix_now());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (publisher.latest()->number == before && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    refresher.stop();
    EXPECT_EQ(publisher.latest()->number, before + 1);
    EXPECT_EQ(publisher.latest()->revoked_count, 1);
    fetch_crl("timer");
    auto rejected = verify_with_crl("leaf", "timer");
    EXPECT_NE(rejected.output.find("certificate revoked"), std::string::npos) << rejected.output;
}
