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

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

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

// A partial TLS ClientHello (the record header and the start of the handshake
// message), then nothing: a client stalled inside the handshake.
int connect_stalled_handshake(unsigned short port) {
    int fd = connect_idle(port);
    static const unsigned char partial[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
                                            0x00, 0x01, 0xfc, 0x03, 0x03};
    EXPECT_EQ(send(fd, partial, sizeof partial, MSG_NOSIGNAL),
              static_cast<ssize_t>(sizeof partial));
    return fd;
}

// The plain-HTTP listener's slow client: a request line and no end of headers.
int connect_stalled_request(unsigned short port) {
    int fd = connect_idle(port);
    const std::string partial = "GET /ca.crt HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    EXPECT_EQ(send(fd, partial.data(), partial.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(partial.size()));
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
// Issue 10's acceptance: 200 idle connections and 20 that stall inside the TLS
// handshake (a partial ClientHello; on the plain-HTTP listener a partial request)
// on each of the three listeners at once, and meanwhile /healthz, an operator
// request and the CA certificate each answer in under a second.
TEST_F(FrontTest, IdleAndStalledConnectionsOnEveryListenerDelayNoOne) {
    const unsigned short ports[] = {f.server().operator_port(), f.server().public_port(),
                                    f.server().crl_port()};
    std::vector<int> held;
    for (unsigned short port : ports) {
        for (int i = 0; i < 200; ++i) held.push_back(connect_idle(port));
        for (int i = 0; i < 20; ++i) {
            held.push_back(port == f.server().crl_port() ? connect_stalled_request(port)
                                                         : connect_stalled_handshake(port));
        }
    }
    auto timed = [](const std::function<int()>& request) {
        auto started = std::chrono::steady_clock::now();
        int status = request();
        return std::make_pair(status, std::chrono::steady_clock::now() - started);
    };
    auto health = timed([&] { return f.public_client().get("/healthz").status; });
    auto operators = timed([&] { return f.operator_client().get("/api/v1/certificates").status; });
    auto ca = timed([&] {
        return curl_status("http://127.0.0.1:" + std::to_string(f.crl_port()) + "/ca.crt");
    });
    for (int fd : held) close(fd);
    EXPECT_EQ(health.first, 200);
    EXPECT_LT(health.second, 1s);
    EXPECT_EQ(operators.first, 200);
    EXPECT_LT(operators.second, 1s);
    EXPECT_EQ(ca.first, 200);
    EXPECT_LT(ca.second, 1s);
}

// Issue 10's acceptance: 100 sequential curl requests, each on a new connection
// (Connection: close) with curl's default TLS session reuse, all succeed on each
// listener, and every TLS connection after the first resumed its session
// (nginx's access log, tls_resumed "r"). The mean cost of one new connection and
// request at one client is printed (README "TLS front"); its bound here is a
// generous 50 ms (the goal is 5 ms; a delayed-ACK stall costs ~40 ms).
TEST_F(FrontTest, HundredSequentialCurlRequestsWithSessionReuseSucceedOnEveryListener) {
    const auto& op = f.operator_credential();
    struct Case {
        const char* name;
        std::string url;
        std::string options;
        bool tls;
    };
    const Case cases[] = {
        {"operator",
         "https://127.0.0.1:" + std::to_string(f.server().operator_port()) + "/api/v1/statistics",
         "--cacert " + ca() + " --cert " + test::shell_quote(op.cert_path.string()) + " --key " +
             test::shell_quote(op.key_path.string()),
         true},
        {"public", "https://127.0.0.1:" + std::to_string(f.server().public_port()) + "/healthz",
         "--cacert " + ca(), true},
        {"publication", "http://127.0.0.1:" + std::to_string(f.crl_port()) + "/ca.crt", "", false}};
    const auto access_log = f.config().state_dir / "front" / "access.log";
    for (const Case& c : cases) {
        const size_t logged_before = test::read_file(access_log).size();
        std::string urls;
        for (int i = 0; i < 100; ++i) urls += " -o /dev/null " + c.url;
        auto r = test::run("curl -s -H 'Connection: close' " + c.options +
                           " -w '%{http_code} %{num_connects} %{time_total}\\n'" + urls);
        std::istringstream lines(r.output);
        int ok = 0, connects = 0;
        double total = 0, after_first = 0;
        for (int code, n; lines >> code >> n >> total;) {
            ok += code == 200;
            connects += n;
            if (ok > 1) after_first += total;
        }
        EXPECT_EQ(ok, 100) << c.name << "\n" << r.output;
        EXPECT_EQ(connects, 100) << c.name << ": one new connection per request";
        const double mean_ms = after_first / 99 * 1000;
        std::cout << "[ front    ] " << c.name << ": mean " << mean_ms
                  << " ms per new connection and request (99 after the first)\n";
        EXPECT_LT(mean_ms, 50.0) << c.name;
        if (!c.tls) continue;
        // nginx writes a line when it has answered; the last may trail curl's exit.
        std::string logged;
        for (int i = 0; i < 50; ++i) {
            logged = test::read_file(access_log).substr(logged_before);
            if (std::count(logged.begin(), logged.end(), '\n') >= 100) break;
            std::this_thread::sleep_for(20ms);
        }
        std::istringstream entries(logged);
        int resumed = 0, fresh = 0;
        for (std::string line; std::getline(entries, line);) {
            auto entry = nlohmann::json::parse(line);
            (entry["tls_resumed"] == "r" ? resumed : fresh)++;
        }
        EXPECT_EQ(fresh, 1) << c.name << "\n" << logged;
        EXPECT_EQ(resumed, 99) << c.name << "\n" << logged;
    }
}

// Behind the front the request id is nginx's: a client's X-Request-Id is
// replaced, the answer carries nginx's (once), and the application logs the
// request under it; /metrics is not on any of the front's listeners.
TEST_F(FrontTest, RequestIdIsTheFrontsAndMetricsAreNotExposed) {
    testing::internal::CaptureStderr();
    auto r = test::run("curl -s -D - -o /dev/null --cacert " + ca() +
                       " -H 'X-Request-Id: chosen-by-the-client' https://127.0.0.1:" +
                       std::to_string(f.server().public_port()) + "/healthz");
    std::this_thread::sleep_for(300ms);  // the log line follows the answer
    std::string log = testing::internal::GetCapturedStderr();
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(r.output, m, std::regex("[Xx]-[Rr]equest-[Ii]d: ([0-9a-f]{32})\r")))
        << r.output;
    const std::string id = m[1];
    EXPECT_EQ(r.output.find("X-Request-Id", r.output.find(id) + id.size()), std::string::npos)
        << "one X-Request-Id: " << r.output;
    EXPECT_EQ(r.output.find("chosen-by-the-client"), std::string::npos);
    bool logged = false;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        auto entry = nlohmann::json::parse(line, nullptr, false);
        logged |= entry.is_object() && entry.value("request_id", "") == id &&
                  entry.value("route", "") == "/healthz";
    }
    EXPECT_TRUE(logged) << log;
    EXPECT_NE(test::read_file(f.config().state_dir / "front" / "access.log").find(id),
              std::string::npos);
    for (unsigned short port : {f.server().operator_port(), f.server().public_port()}) {
        auto client = port == f.server().operator_port() ? f.operator_client() : f.public_client();
        EXPECT_EQ(client.get("/metrics").status, 404) << port;
    }
    EXPECT_EQ(curl_status("http://127.0.0.1:" + std::to_string(f.crl_port()) + "/metrics"), 404);
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

namespace {

// Established TCP connections on this machine whose local port is `port`
// (/proc/net/tcp and tcp6: the application's side of a loopback connection).
int established_to(unsigned short port) {
    int n = 0;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::istringstream lines(test::read_file(table));
        std::string line;
        std::getline(lines, line);  // the header
        while (std::getline(lines, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state;
            fields >> slot >> local >> remote >> state;
            auto colon = local.rfind(':');
            if (state == "01" && colon != std::string::npos &&
                std::stoul(local.substr(colon + 1), nullptr, 16) == port) {
                ++n;
            }
        }
    }
    return n;
}

}  // namespace

// nginx keeps its connections to the application open between requests (the
// upstreams' keepalive): 40 sequential requests, each from a new client
// connection and some with a large answer, are served over a few application
// connections (one per nginx worker at most: a worker per core), which stay
// open afterwards, instead of 40 opened and closed.
TEST_F(FrontTest, ConnectionsToTheApplicationAreKeptBetweenRequests) {
    const auto& op = f.operator_credential();
    const unsigned short app_port = f.server().app_operator_port();
    const std::string base = "https://127.0.0.1:" + std::to_string(f.server().operator_port());
    std::string urls;
    for (int i = 0; i < 20; ++i) {
        urls += " -o /dev/null " + base + "/api/v1/statistics";
        urls += " -o /dev/null " + base + "/openapi.json";
    }
    auto r = test::run("curl -s -H 'Connection: close' --cacert " + ca() + " --cert " +
                       test::shell_quote(op.cert_path.string()) + " --key " +
                       test::shell_quote(op.key_path.string()) + " -w '%{http_code}\\n'" + urls);
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 40) << r.output;
    EXPECT_EQ(r.output.find_first_not_of("200\n"), std::string::npos) << r.output;
    const int kept = established_to(app_port);
    EXPECT_GE(kept, 1) << "nginx closed its connections to the application";
    const int workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    EXPECT_LE(kept, std::min(workers, 20)) << "a new application connection per request";
}
