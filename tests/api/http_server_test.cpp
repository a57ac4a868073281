// The HTTP layer alone: real TLS on loopback, a fake Authority (one fake per
// interface), certificates made with the openssl CLI.
#include "api/http_server.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "api/certificate_handlers.h"
#include "api/problem.h"
#include "common/error.h"
#include "common/openssl_ptr.h"
#include "tests/support/https_client.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

using namespace inkan;
using namespace inkan::api;

namespace {

class FakeAuthority : public Authority {
  public:
    std::string refused_subject = "CN=revoked-operator";
    OperatorIdentity authenticate_operator(X509* cert) override {
        OpenSslString name(X509_NAME_oneline(X509_get_subject_name(cert), nullptr, 0));
        std::string subject = name.get();
        if (subject.find(refused_subject) != std::string::npos) {
            throw Error(ErrorCategory::Forbidden, "operator_revoked",
                        "operator certificate is revoked");
        }
        return {subject, "Example University", OperatorRole::RaOperator, "", "01"};
    }
    std::string ca_certificate_pem() override { return "-----BEGIN CERTIFICATE-----\nfake\n"; }
    CertificateView issue_from_csr(const OperatorIdentity& who, ByteView csr,
                                   int profile) override {
        last_csr_size = csr.size();
        if (profile != 5)
            throw Error(ErrorCategory::InvalidInput, "profile_unknown", "unknown profile");
        if (csr.size() < 10) throw Error(ErrorCategory::InvalidInput, "csr_malformed", "not a CSR");
        if (inkan::to_string(csr) == "explode-internal")
            throw std::runtime_error("disk on fire (test)");
        CertificateView v;
        v.serial_dec = "42";
        v.requested_by = who.name;
        return v;
    }
    CertificateView find_certificate(const OperatorIdentity&, const std::string& serial) override {
        throw Error(ErrorCategory::NotFound, "certificate_not_found", "no certificate " + serial);
    }
    CertificatePage list_certificates(const OperatorIdentity&,
                                      const CertificateQuery& query) override {
        last_query = query;
        CertificatePage page{{}, 3, query.limit, query.offset};
        for (size_t i = query.offset; i < 3 && page.certificates.size() < query.limit; ++i) {
            CertificateView v;
            v.serial_dec = std::to_string(100 + i);
            page.certificates.push_back(v);
        }
        return page;
    }
    size_t last_csr_size = 0;
    std::optional<CertificateQuery> last_query;
};

class FakeHealth : public Health {
  public:
    HsmReport report;
    int probes = 0;
    HsmReport hsm(bool probe) override {
        if (probe) ++probes;
        return report;
    }
};

void sh(const std::string& cmd) {
    auto r = test::run(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
}

class ApiServer : public ::testing::Test {
  protected:
    void SetUp() override {
        auto d = dir.path().string();
        auto ec = [](const std::string& k) {
            return "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + k;
        };
        sh("cd " + d + " && openssl req -x509 " + ec("ca.key") +
           " -out ca.pem -subj /CN=TestCA -days 2");
        sh("cd " + d + " && openssl req " + ec("srv.key") +
           " -out srv.csr -subj /CN=localhost && "
           "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext && "
           "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -out srv.pem -days 2 -extfile "
           "san.ext");
        for (std::string n : {"operator", "revoked-operator"}) {
            sh("cd " + d + " && openssl req " + ec(n + ".key") + " -out " + n +
               ".csr -subj /CN=" + n + " && openssl x509 -req -in " + n +
               ".csr -CA ca.pem -CAkey ca.key -out " + n + ".pem -days 2");
        }
        sh("cd " + d + " && openssl req -x509 " + ec("foreign.key") +
           " -out foreign.pem -subj /CN=operator -days 2");
        HttpServerConfig c;
        c.operator_port = 0;
        c.public_port = 0;
        c.crl_port = 0;
        c.tls_certificate_file = d + "/srv.pem";
        c.tls_key_file = d + "/srv.key";
        c.client_ca_file = d + "/ca.pem";
        c.max_body_bytes = 64 * 1024;
        server = std::make_unique<HttpServer>(c);
        certs = std::make_unique<CertificateHandlers>(authority);
        pub = std::make_unique<PublicHandlers>(authority, health);
        certs->register_routes(server->operator_router());
        pub->register_routes(server->public_router());
        server->start();
    }
    test::HttpsClient client(const std::string& who = "") {
        test::HttpsClient c;
        c.port = server->operator_port();
        c.ca_file = (dir / "ca.pem").string();
        if (!who.empty()) {
            c.client_cert_file = (dir / (who + ".pem")).string();
            c.client_key_file = (dir / (who + ".key")).string();
        }
        return c;
    }
    test::TempDir dir;
    FakeAuthority authority;
    FakeHealth health;
    std::unique_ptr<HttpServer> server;
    std::unique_ptr<CertificateHandlers> certs;
    std::unique_ptr<PublicHandlers> pub;
};

nlohmann::json json_of(const test::HttpResponse& r) { return nlohmann::json::parse(r.body); }

}  // namespace

TEST_F(ApiServer, PublicEndpointNeedsNoClientCertificate) {
    auto c = client();
    c.port = server->public_port();
    auto r = c.get("/healthz");
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(json_of(r)["status"], "ok");
    auto ca = c.get("/ca.pem");
    EXPECT_EQ(ca.status, 200);
    EXPECT_EQ(ca.body, authority.ca_certificate_pem());
}

// Liveness stays 200 (the process serves) and names the HSM state; readiness is
// 503 with Retry-After while the HSM is unavailable, and probes it each time.
TEST_F(ApiServer, HealthzReportsTheHsmAndReadyzRefusesWhileItIsUnavailable) {
    auto c = client();
    c.port = server->public_port();
    auto ready = c.get("/readyz");
    ASSERT_EQ(ready.status, 200) << ready.body;
    EXPECT_EQ(json_of(ready)["hsm"], "ok");
    EXPECT_EQ(health.probes, 1);
    EXPECT_EQ(json_of(c.get("/healthz"))["hsm"], "ok");

    health.report = {false, "C_Sign: CKR_DEVICE_REMOVED", 4, 0};
    auto live = c.get("/healthz");
    ASSERT_EQ(live.status, 200);
    EXPECT_EQ(json_of(live)["status"], "degraded");
    EXPECT_EQ(json_of(live)["hsm"], "unavailable");
    EXPECT_EQ(json_of(live)["hsm_reason"], "C_Sign: CKR_DEVICE_REMOVED");
    auto not_ready = c.get("/readyz");
    ASSERT_EQ(not_ready.status, 503) << not_ready.body;
    EXPECT_EQ(json_of(not_ready)["code"], "hsm_unavailable");
    EXPECT_EQ(json_of(not_ready)["category"], "hsm_unavailable");
    EXPECT_EQ(not_ready.headers["retry-after"], "4");
    EXPECT_EQ(health.probes, 2) << "/healthz does not probe, /readyz does";
}

// Every 503 tells the client when to come back.
TEST_F(ApiServer, HsmUnavailableIsA503WithRetryAfter) {
    Problem p = to_problem(Error(ErrorCategory::HsmUnavailable, "hsm_unavailable", "gone", 7));
    EXPECT_EQ(p.status, 503);
    EXPECT_EQ(p.retry_after_seconds, 7);
    EXPECT_EQ(to_problem(Error(ErrorCategory::HsmUnavailable, "hsm_device_error", "x"))
                  .retry_after_seconds,
              kDefaultRetryAfterSeconds);
    EXPECT_EQ(to_problem(Error(ErrorCategory::NotFound, "x", "y")).retry_after_seconds, 0);
}

TEST_F(ApiServer, OperatorEndpointRefusesHandshakeWithoutClientCertificate) {
    auto r = client().post("/api/v1/certificates", "0123456789abcdef");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(authority.last_csr_size, 0u);
}

TEST_F(ApiServer, OperatorEndpointRefusesCertificateFromAnotherCa) {
    auto r = client("foreign").post("/api/v1/certificates", "0123456789abcdef");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(authority.last_csr_size, 0u);
}

TEST_F(ApiServer, RevokedOperatorGets403Json) {
    auto r = client("revoked-operator").post("/api/v1/certificates", "0123456789abcdef");
    ASSERT_EQ(r.status, 403) << r.error;
    EXPECT_EQ(json_of(r)["code"], "operator_revoked");
    EXPECT_EQ(authority.last_csr_size, 0u);
}

TEST_F(ApiServer, IssueMapsCoreErrorsToJsonProblems) {
    auto c = client("operator");
    auto ok = c.post("/api/v1/certificates", "0123456789abcdef");
    ASSERT_EQ(ok.status, 201) << ok.error;
    EXPECT_EQ(json_of(ok)["serial"], "42");
    auto bad = c.post("/api/v1/certificates", "short");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(json_of(bad)["code"], "csr_malformed");
    auto empty = c.post("/api/v1/certificates", "");
    EXPECT_EQ(empty.status, 400);
    EXPECT_EQ(json_of(empty)["code"], "csr_missing");
    auto profile = c.post("/api/v1/certificates?profile=abc", "0123456789abcdef");
    EXPECT_EQ(profile.status, 400);
    EXPECT_EQ(json_of(profile)["code"], "profile_invalid");
    auto missing = c.get("/api/v1/certificates/12345");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(json_of(missing)["code"], "certificate_not_found");
}

// A 500 is logged with its cause; the answer names the incident, never the cause.
TEST_F(ApiServer, InternalErrorsAreLoggedUnderAnIncidentIdTheAnswerNames) {
    testing::internal::CaptureStderr();
    auto r = client("operator").post("/api/v1/certificates", "explode-internal");
    std::string log = testing::internal::GetCapturedStderr();
    ASSERT_EQ(r.status, 500) << r.body;
    auto body = json_of(r);
    EXPECT_EQ(body["code"], "internal_error");
    std::string incident = body["incident"];
    EXPECT_EQ(r.body.find("disk on fire"), std::string::npos) << "the cause stays in the log";
    EXPECT_EQ(body["request_id"], incident);
    // One JSON object a line (common/log.h); this one names the incident and the cause.
    bool found = false;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        auto entry = nlohmann::json::parse(line, nullptr, false);
        ASSERT_TRUE(entry.is_object()) << line;
        if (entry.value("request_id", "") == incident) {
            found = true;
            EXPECT_EQ(entry["level"], "error");
            EXPECT_EQ(entry["cause"], "disk on fire (test)");
            EXPECT_EQ(entry["status"], 500);
        }
    }
    EXPECT_TRUE(found) << log;
}

TEST_F(ApiServer, OversizedBodyIsRefusedAndNeverReachesTheCore) {
    auto r = client("operator").post("/api/v1/certificates", std::string(200 * 1024, 'A'));
    EXPECT_EQ(r.status, 413) << r.error << " body=" << r.body;
    EXPECT_EQ(authority.last_csr_size, 0u);
}

TEST_F(ApiServer, CertificateLookUpParsesItsQueryAndPaginates) {
    auto c = client("operator");
    auto r = c.get(
        "/api/v1/certificates?subject=CN%3Du1.example.ac.jp%2CO%3DExample%20University%2CC%3DJP"
        "&mail=a%2Bb%40example.ac.jp&serial=0x1f&status=revoked&limit=2&offset=1&subject_contains="
        "u1");
    ASSERT_EQ(r.status, 200) << r.error << r.body;
    ASSERT_TRUE(authority.last_query);
    const auto& q = *authority.last_query;
    EXPECT_EQ(q.subject, "CN=u1.example.ac.jp,O=Example University,C=JP");
    EXPECT_EQ(q.subject_contains, "u1");
    EXPECT_EQ(q.mail, "a+b@example.ac.jp");
    EXPECT_EQ(q.serial, "0x1f");
    EXPECT_EQ(q.status, "revoked");
    EXPECT_EQ(q.limit, 2u);
    EXPECT_EQ(q.offset, 1u);
    auto page = json_of(r);
    EXPECT_EQ(page["total"], 3);
    EXPECT_EQ(page["limit"], 2);
    EXPECT_EQ(page["offset"], 1);
    ASSERT_EQ(page["certificates"].size(), 2u);
    EXPECT_EQ(page["certificates"][0]["serial"], "101");
    EXPECT_TRUE(page["next_offset"].is_null());  // 1 + 2 = 3 = total: the last page
    EXPECT_FALSE(page["certificates"][0].contains("certificate_pem"));

    auto first = json_of(c.get("/api/v1/certificates?limit=2"));
    EXPECT_EQ(first["next_offset"], 2);
    auto defaults = c.get("/api/v1/certificates");
    ASSERT_EQ(defaults.status, 200);
    EXPECT_EQ(authority.last_query->limit, CertificateQuery::kDefaultLimit);
    EXPECT_EQ(authority.last_query->offset, 0u);
    EXPECT_FALSE(authority.last_query->subject || authority.last_query->mail ||
                 authority.last_query->status);
    EXPECT_EQ(c.get("/api/v1/certificates?limit=1000").status, 200);
}

TEST_F(ApiServer, CertificateLookUpRefusesBadParametersWith400) {
    auto c = client("operator");
    struct Case {
        std::string query;
        std::string code;
    };
    std::vector<Case> cases = {
        {"status=active", "status_invalid"}, {"limit=0", "limit_invalid"},
        {"limit=1001", "limit_invalid"},     {"limit=-1", "limit_invalid"},
        {"limit=ten", "limit_invalid"},      {"offset=-5", "offset_invalid"},
        {"offset=1e3", "offset_invalid"},    {"staus=valid", "query_parameter_unknown"},
        {"mail=", "query_parameter_empty"},  {"subject=CN%3", "query_malformed"},
    };
    for (const auto& k : cases) {
        authority.last_query.reset();
        auto r = c.get("/api/v1/certificates?" + k.query);
        EXPECT_EQ(r.status, 400) << k.query << ": " << r.body;
        if (r.status == 400) {
            auto body = json_of(r);
            EXPECT_EQ(body["code"], k.code) << k.query;
            EXPECT_EQ(body["category"], "invalid_input") << k.query;
            EXPECT_FALSE(body["message"].get<std::string>().empty());
        }
        EXPECT_FALSE(authority.last_query) << k.query << " reached the core";
    }
    // Without a client certificate the TLS handshake fails; a revoked operator gets 403.
    EXPECT_EQ(client().get("/api/v1/certificates").status, 0);
    EXPECT_EQ(client("revoked-operator").get("/api/v1/certificates").status, 403);
}
