// The plain-HTTP publication listener with a fake api::Publication: routes,
// content types, and that the OCSP handler passes exactly the request bytes on
// (POST body, GET path base64 with or without URL-encoding) and garbage as empty.
#include "api/publication_handlers.h"

#include <gtest/gtest.h>

#include "api/http_server.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

using namespace inkan;
using namespace inkan::api;

namespace {

class FakePublication final : public Publication {
  public:
    std::string crl_name() override { return "test-ca"; }
    std::optional<Bytes> latest_crl() override { return crl; }
    Bytes ca_certificate_der() override { return {0x30, 0x01, 0x00}; }
    Bytes ocsp_response(ByteView request) override {
        requests.emplace_back(request.begin(), request.end());
        return {0x30, 0x03, 0x0A, 0x01, 0x01};
    }
    std::optional<Bytes> crl;
    std::vector<Bytes> requests;
};

class PublicationListener : public ::testing::Test {
  protected:
    void SetUp() override {
        HttpServerConfig c;
        c.operator_port = 0;
        c.public_port = 0;
        c.crl_port = 0;
        // The TLS listeners need a key and certificate even when unused here.
        auto d = dir.path().string();
        auto made = test::run("cd " + d +
                              " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                              "-nodes -keyout k.pem -out c.pem -subj /CN=localhost -days 2 2>&1");
        ASSERT_EQ(made.exit_code, 0) << made.output;
        c.tls_certificate_file = d + "/c.pem";
        c.tls_key_file = d + "/k.pem";
        c.client_ca_file = d + "/c.pem";
        server = std::make_unique<HttpServer>(c);
        handlers = std::make_unique<PublicationHandlers>(fake);
        handlers->register_routes(server->publication_router());
        server->start();
    }
    // "<status> <content type> <body as hex>"
    std::string curl(const std::string& args) {
        auto r = test::run("curl -s -o " + (dir / "body").string() +
                           " -w '%{http_code} %{content_type}' " + args +
                           " http://127.0.0.1:" + std::to_string(server->crl_port()));
        return r.output;
    }
    test::TempDir dir;
    FakePublication fake;
    std::unique_ptr<HttpServer> server;
    std::unique_ptr<PublicationHandlers> handlers;
};

}  // namespace

TEST(PublicationDecoding, PercentAndBase64) {
    EXPECT_EQ(percent_decode("MEUw%2B%2F%3D"), "MEUw+/=");
    EXPECT_EQ(percent_decode("a+b"), "a+b") << "'+' stays '+' (base64)";
    EXPECT_FALSE(percent_decode("%2"));
    EXPECT_FALSE(percent_decode("%zz"));
    EXPECT_EQ(base64_decode("MAMKAQE="), (Bytes{0x30, 0x03, 0x0A, 0x01, 0x01}));
    EXPECT_EQ(base64_decode("MAMKAQE"), (Bytes{0x30, 0x03, 0x0A, 0x01, 0x01}));
    EXPECT_EQ(base64_decode("+/8="), (Bytes{0xFB, 0xFF}));
    EXPECT_FALSE(base64_decode("M"));
    EXPECT_FALSE(base64_decode("MA==="));
    EXPECT_FALSE(base64_decode("MA M="));
    EXPECT_FALSE(base64_decode("-_8="));
}

TEST_F(PublicationListener, RoutesAndContentTypes) {
    auto port = std::to_string(server->crl_port());
    EXPECT_EQ(curl("").substr(0, 3), "404") << "GET /";
    auto get = [&](const std::string& path) {
        return test::run("curl -s -o " + (dir / "body").string() +
                         " -w '%{http_code} %{content_type}' " + "http://127.0.0.1:" + port + path)
            .output;
    };
    EXPECT_EQ(get("/crl/test-ca.crl"), "404 application/json") << "none published yet";
    fake.crl = Bytes{0x30, 0x02, 0x05, 0x00};
    EXPECT_EQ(get("/crl/test-ca.crl"), "200 application/pkix-crl");
    EXPECT_EQ(test::read_file(dir / "body"), std::string("\x30\x02\x05\x00", 4));
    EXPECT_EQ(get("/crl/other.crl"), "404 application/json");
    EXPECT_EQ(get("/ca.crt"), "200 application/pkix-cert");
    EXPECT_EQ(get("/healthz"), "404 application/json");

    EXPECT_EQ(get("/ocsp/MAMKAQE%3D"), "200 application/ocsp-response");
    EXPECT_EQ(get("/ocsp/+/8="), "200 application/ocsp-response");
    EXPECT_EQ(get("/ocsp/not*base64"), "200 application/ocsp-response");
    auto post = test::run(
        "curl -s -o /dev/null -w '%{http_code} %{content_type}' --data-binary 'abc' "
        "-H 'Content-Type: application/ocsp-request' http://127.0.0.1:" +
        port + "/ocsp");
    EXPECT_EQ(post.output, "200 application/ocsp-response");
    ASSERT_EQ(fake.requests.size(), 4u);
    EXPECT_EQ(fake.requests[0], (Bytes{0x30, 0x03, 0x0A, 0x01, 0x01}));
    EXPECT_EQ(fake.requests[1], (Bytes{0xFB, 0xFF}));
    EXPECT_TRUE(fake.requests[2].empty()) << "garbage reaches the responder as no request";
    EXPECT_EQ(fake.requests[3], (Bytes{'a', 'b', 'c'}));
}
