// Odd and oversized requests (issue 13, defect 3), as raw bytes: to the
// application's own plain-HTTP listener (the publication listener, no front) and
// through the TLS front's plain-HTTP port (nginx in front of the application).
// Each gets a JSON problem, never a C++ exception text; framing errors and
// oversized bodies end the connection.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/appliance/appliance_fixture.h"
#include "tests/support/raw_http.h"

using namespace inkan;
using nlohmann::json;

namespace {

struct Where {
    const char* name;
    const char* front;
};

class OddRequests : public ::testing::TestWithParam<Where> {
  protected:
    test::ApplianceFixture f{{.front = GetParam().front}};
    bool through_front() const { return std::string(GetParam().front) == "nginx"; }
    // The publication listener: plain HTTP on the application (no front) or on nginx.
    test::RawExchange send(const std::string& bytes) const {
        return test::raw_exchange(f.crl_port(), bytes);
    }
};

// A JSON problem with this status and (if given) code, and nothing of C++ in it.
void expect_problem(const test::RawExchange& x, int status, const std::string& code = "") {
    ASSERT_EQ(x.status, status) << x.raw;
    EXPECT_EQ(x.headers.count("content-type") ? x.headers.at("content-type") : "",
              "application/json")
        << x.raw;
    json body = json::parse(x.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << x.raw;
    EXPECT_TRUE(body.contains("message")) << x.raw;
    if (!code.empty()) {
        EXPECT_EQ(body["code"], code) << x.raw;
    }
    for (const char* leak : {"basic_string", "stoull", "std::", "what()"})
        EXPECT_EQ(x.raw.find(leak), std::string::npos) << x.raw;
}

TEST_P(OddRequests, NegativeContentLengthIs400AndCloses) {
    auto x = send("POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nabc");
    expect_problem(x, 400, through_front() ? "bad_request" : "content_length_invalid");
    EXPECT_TRUE(x.closed);
}

TEST_P(OddRequests, HugeContentLengthIs400AndCloses) {
    auto x = send(
        "POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000000000000000\r\n\r\nabc");
    expect_problem(x, 400, through_front() ? "bad_request" : "content_length_invalid");
    EXPECT_TRUE(x.closed);
}

TEST_P(OddRequests, TwoContentLengthHeadersAre400) {
    auto x = send(
        "POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
    expect_problem(x, 400, through_front() ? "bad_request" : "content_length_duplicate");
    EXPECT_TRUE(x.closed);
}

// The body over the limit is refused from its Content-Length at once (while the
// client is still sending), and the connection ends: it does not linger.
TEST_P(OddRequests, BodyOverTheLimitIs413AndTheConnectionEnds) {
    const size_t limit = f.config().http.max_body_bytes;
    std::string request =
        "POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: "
        "application/ocsp-request\r\nContent-Length: " +
        std::to_string(limit + 1) + "\r\n\r\n" + std::string(1 << 20, 'A');
    auto x = send(request);
    expect_problem(x, 413, "body_too_large");
    EXPECT_TRUE(x.closed) << "the socket lingered";
}

TEST_P(OddRequests, UnmatchedRouteIs404Json) {
    auto x = send("GET /no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect_problem(x, 404, "not_found");
}

TEST_P(OddRequests, WrongMethodIs405JsonWithAllow) {
    auto x = send(
        "DELETE /ca.crt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    expect_problem(x, 405, "method_not_allowed");
    EXPECT_EQ(x.headers.count("allow") ? x.headers.at("allow") : "", "GET") << x.raw;
}

// What the guard lets through is served as before.
TEST_P(OddRequests, OrdinaryRequestsStillWork) {
    auto x = send("GET /ca.crt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(x.status, 200) << x.raw;
    EXPECT_FALSE(x.body.empty());
}

INSTANTIATE_TEST_SUITE_P(Listeners, OddRequests,
                         ::testing::Values(Where{"Application", "none"},
                                           Where{"ThroughTheFront", "nginx"}),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
