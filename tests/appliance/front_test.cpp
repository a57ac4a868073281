// The TLS front (README "TLS front"): a real nginx on free loopback ports in
// front of the in-process appliance. Operators are authenticated by the client
// certificate nginx verified and forwarded; idle connections do not hold up
// anyone; TLS sessions resume; the application's own loopback listeners refuse a
// forged certificate header.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>

#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using namespace std::chrono_literals;

namespace {

class FrontTest : public ::testing::Test {
  protected:
    test::ApplianceFixture f{{.front = "nginx"}};

    std::string ca() const { return test::shell_quote(f.config().ca_certificate_path().string()); }
    // `curl` answering only the HTTP status code.
    int curl_status(const std::string& args) const {
        auto r = test::run("curl -s -o /dev/null -w '%{http_code}' " + args);
        return r.output.empty() ? 0 : std::stoi(r.output);
    }
    // What nginx would put in X-Inkan-Client-Certificate: the PEM, URL-escaped.
    std::string escaped_operator_certificate() const {
        std::string pem = test::read_file(f.operator_credential().cert_path);
        std::string out;
        for (unsigned char c : pem) {
            if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
                out += static_cast<char>(c);
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", c);
                out += buf;
            }
        }
        return out;
    }
};

int connect_idle(unsigned short port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
}

}  // namespace

TEST_F(FrontTest, OperatorWithItsCertificateIsServedThroughTheFront) {
    auto r = f.operator_client().get("/api/v1/certificates");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["strict-transport-security"], "max-age=63072000");
    EXPECT_NE(f.server().app_operator_port(), f.server().operator_port());
}

TEST_F(FrontTest, OperatorWithoutCertificateIsRefused) {
    auto r = f.anonymous_operator_client().get("/api/v1/certificates");
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_NE(r.body.find("client_certificate_required"), std::string::npos) << r.body;
}

TEST_F(FrontTest, OperatorCertificateOfAnotherCaIsRefused) {
    auto key = f.dir() / "other.key";
    auto cert = f.dir() / "other.pem";
    test::sh_ok(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
        "-subj '/CN=op1/O=Example University' -keyout " +
        test::shell_quote(key.string()) + " -out " + test::shell_quote(cert.string()));
    auto c = f.anonymous_operator_client();
    c.client_cert_file = cert.string();
    c.client_key_file = key.string();
    auto r = c.get("/api/v1/certificates");
    // nginx ends the handshake or answers 401; the application never sees the request.
    EXPECT_TRUE(r.status == 401 || r.status == 0) << r.status << " " << r.body;
    EXPECT_EQ(f.audit_text().find("operator_authentication"), std::string::npos);
}

TEST_F(FrontTest, PublicAndPublicationListenersAnswerThroughTheFront) {
    auto r = f.public_client().get("/healthz");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(f.public_client().get("/ca.pem").status, 200);
    EXPECT_EQ(curl_status("http://127.0.0.1:" + std::to_string(f.crl_port()) + "/ca.crt"), 200);
}

// The bug the front fixes: Pistache's single accept thread waited up to 10 s for
// each idle connection's TLS handshake, so three of them held /healthz for 30 s.
TEST_F(FrontTest, IdleConnectionsDoNotDelayHealthz) {
    int idle[3];
    for (int& fd : idle) fd = connect_idle(f.server().public_port());
    auto started = std::chrono::steady_clock::now();
    auto r = f.public_client().get("/healthz");
    auto took = std::chrono::steady_clock::now() - started;
    for (int fd : idle) close(fd);
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_LT(took, 2s);
}

// Straight to the application's loopback port, past nginx: a request carrying a
// certificate header as nginx would send it, without the front's secret or with
// a wrong one, is refused before any handler, and nothing reaches the audit log.
TEST_F(FrontTest, ForgedCertificateHeaderStraightToTheApplicationIsRefused) {
    const std::string before = f.audit_text();
    const std::string forged =
        "-H " + test::shell_quote("X-Inkan-Client-Certificate: " + escaped_operator_certificate()) +
        " -H 'X-Inkan-Client-Verify: SUCCESS' ";
    const std::string app =
        "http://127.0.0.1:" + std::to_string(f.server().app_operator_port()) + "/api/v1/";
    EXPECT_EQ(curl_status(forged + app + "certificates"), 403);
    EXPECT_EQ(curl_status(forged + "-H 'X-Inkan-Front: " + std::string(64, '0') + "' " + app +
                          "statistics"),
              403);
    EXPECT_EQ(curl_status(forged + "--data-binary x " + app + "certificates"), 403);
    EXPECT_EQ(curl_status("http://127.0.0.1:" + std::to_string(f.server().app_public_port()) +
                          "/healthz"),
              403);
    EXPECT_EQ(f.audit_text(), before);

    // Control: with nginx's secret the same header is believed, so the secret is
    // the only thing that refused it above.
    std::smatch m;
    std::string conf = test::read_file(f.config().state_dir / "front" / "nginx.conf");
    ASSERT_TRUE(std::regex_search(conf, m, std::regex("X-Inkan-Front \"([0-9a-f]{64})\"")));
    EXPECT_EQ(
        curl_status(forged + "-H 'X-Inkan-Front: " + m[1].str() + "' " + app + "certificates"),
        200);
}

// Each s_client run stores the session it got (for TLS 1.3: the ticket, read
// while stdin stays open a moment) and the next one offers it.
TEST_F(FrontTest, TlsSessionsResumeThroughTheFront) {
    const auto& op = f.operator_credential();
    const std::string operator_cert = " -cert " + test::shell_quote(op.cert_path.string()) +
                                      " -key " + test::shell_quote(op.key_path.string());
    for (const char* version : {"-tls1_2", "-tls1_3"}) {
        for (bool operators : {false, true}) {
            auto session = test::shell_quote((f.dir() / "session.pem").string());
            std::string s_client =
                "sleep 0.3 | openssl s_client -connect 127.0.0.1:" +
                std::to_string(operators ? f.server().operator_port() : f.server().public_port()) +
                " -CAfile " + ca() + (operators ? operator_cert : "") + " " + version;
            auto first = test::run(s_client + " -sess_out " + session);
            EXPECT_NE(first.output.find("New, TLSv1."), std::string::npos) << first.output;
            auto second = test::run(s_client + " -sess_in " + session);
            EXPECT_NE(second.output.find("Reused, TLSv1."), std::string::npos)
                << version << (operators ? " operator" : " public") << "\n"
                << second.output;
        }
    }
}
