// Operations (issue 10 item 4): GET /metrics on the loopback admin listener,
// parsed by a third-party Prometheus parser (Debian python3-prometheus-client),
// counts what the appliance did over real HTTPS; every request gets an id,
// answered as X-Request-Id and logged in a JSON line on stderr.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/appliance/appliance_fixture.h"
#include "tests/appliance/inkan_process.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;

namespace {

// Every sample of an exposition as "name{label=value,...}" (labels sorted) -> value,
// read by prometheus_client.parser; an exposition it cannot parse fails the test.
std::map<std::string, double> parse_exposition(const test::TempDir& work, const std::string& text) {
    test::write_file(work / "metrics.txt", text);
    test::write_file(work / "parse.py",
                     "import sys\n"
                     "from prometheus_client.parser import text_string_to_metric_families\n"
                     "for family in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
                     "    for s in family.samples:\n"
                     "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))\n"
                     "        print(s.name + '{' + labels + '}', repr(float(s.value)))\n");
    auto r = test::run("/usr/bin/python3 " + (work / "parse.py").string() + " " +
                       (work / "metrics.txt").string());
    EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << text;
    std::map<std::string, double> samples;
    std::istringstream lines(r.output);
    std::string key;
    double value = 0;
    while (lines >> key >> value) samples[key] = value;
    return samples;
}

// GET /metrics with curl (plain HTTP on loopback); the body.
std::string fetch_metrics(unsigned short port, std::string* content_type = nullptr) {
    auto r = test::run("curl -s -D - http://127.0.0.1:" + std::to_string(port) + "/metrics");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto split = r.output.find("\r\n\r\n");
    if (split == std::string::npos) return "";
    if (content_type) {
        std::smatch m;
        std::string head = r.output.substr(0, split);
        if (std::regex_search(head, m, std::regex("[Cc]ontent-[Tt]ype: ([^\r\n]*)")))
            *content_type = m[1];
    }
    return r.output.substr(split + 4);
}

// A request is logged and counted just after its answer went out: a client can
// read the answer first. Waits a moment for the appliance to finish with it.
void let_the_server_finish() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

double sample(const std::map<std::string, double>& samples, const std::string& key) {
    auto it = samples.find(key);
    return it == samples.end() ? 0.0 : it->second;
}

std::string make_csr(const test::TempDir& dir, const std::string& subject) {
    auto csr = (dir / "leaf.csr").string();
    auto r = test::run(
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
        (dir / "leaf.key").string() + " -out " + csr + " -subj " + test::shell_quote(subject));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return test::read_file(csr);
}

// The JSON log lines (one object a line) among `output` that carry this request id.
std::vector<json> log_lines_of(const std::string& output, const std::string& request_id) {
    std::vector<json> found;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        if (line.find(request_id) == std::string::npos) continue;
        auto entry = json::parse(line, nullptr, false);
        EXPECT_TRUE(entry.is_object()) << "not one JSON object: " << line;
        if (entry.is_object() && entry.value("request_id", "") == request_id)
            found.push_back(entry);
    }
    return found;
}

const char* const kCsrIssuedOk = "inkan_issuances_total{channel=csr,code=,outcome=ok}";

}  // namespace

TEST(Metrics, ParseWithPrometheusClientAndCountOneIssuanceAfterOneIssuance) {
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;
    ASSERT_NE(f.server().metrics_port(), 0);
    std::string content_type;
    auto before = parse_exposition(work, fetch_metrics(f.server().metrics_port(), &content_type));
    EXPECT_EQ(content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(sample(before, kCsrIssuedOk), 0.0);
    // Gauges read at the scrape: the HSM pool and the outbox.
    EXPECT_GE(sample(before, "inkan_hsm_pool_sessions{}"), 2.0);
    EXPECT_EQ(sample(before, "inkan_hsm_pool_sessions_in_use{}"), 0.0);
    EXPECT_TRUE(before.count("inkan_hsm_errors_total{}"));
    EXPECT_TRUE(before.count("inkan_outbox_mails{state=queued}"));
    EXPECT_TRUE(before.count("inkan_outbox_mails{state=dead}"));

    auto issued = f.operator_client().post(
        "/api/v1/certificates",
        make_csr(work, "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/CN=m.example.ac.jp"));
    ASSERT_EQ(issued.status, 201) << issued.body;
    // Refused inside the issuance (the subject's domain is not approved), after the
    // CSR was read: counted with its code.
    auto refused = f.operator_client().post(
        "/api/v1/certificates",
        make_csr(work, "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/CN=m.example.com"));
    ASSERT_EQ(refused.status / 100, 4) << refused.body;
    const std::string refused_code = json::parse(refused.body)["code"];
    let_the_server_finish();

    auto after = parse_exposition(work, fetch_metrics(f.server().metrics_port()));
    EXPECT_EQ(sample(after, kCsrIssuedOk), 1.0);
    EXPECT_EQ(sample(after, "inkan_issuances_total{channel=csr,code=" + refused_code +
                                ",outcome=refused}"),
              1.0)
        << refused.body;
    EXPECT_EQ(sample(after,
                     "inkan_http_requests_total{listener=operator,method=POST,"
                     "route=/api/v1/certificates,status_class=2xx}"),
              1.0);
    EXPECT_EQ(sample(after,
                     "inkan_http_requests_total{listener=operator,method=POST,"
                     "route=/api/v1/certificates,status_class=4xx}"),
              1.0);
    EXPECT_EQ(sample(after,
                     "inkan_http_request_duration_seconds_count{listener=operator,method=POST,"
                     "route=/api/v1/certificates}"),
              2.0);
    EXPECT_EQ(sample(after,
                     "inkan_http_request_duration_seconds_bucket{le=+Inf,listener=operator,"
                     "method=POST,route=/api/v1/certificates}"),
              2.0);
}

TEST(Metrics, DownloadsAndRevocationsAreCountedByOutcome) {
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;
    auto upload = f.operator_client().post("/api/v1/requests?action=issue",
                                           test::row("Metrics Taro"), "text/tab-separated-values");
    ASSERT_EQ(upload.status / 100, 2) << upload.body;
    auto batch = json::parse(upload.body);
    const auto& row = batch["rows"][0];
    auto wrong = f.public_client().post(test::path_of(row["retrieval_url"]),
                                        json{{"pin", "WRONGPIN1234"}}.dump(), "application/json");
    EXPECT_EQ(wrong.status / 100, 4) << wrong.body;
    auto download = f.download_row(row["pin_url"], row["retrieval_url"]);
    ASSERT_EQ(download.response.status, 200) << download.response.body;

    auto m = parse_exposition(work, fetch_metrics(f.server().metrics_port()));
    EXPECT_EQ(sample(m, "inkan_request_files_total{action=issue,code=,outcome=ok}"), 1.0);
    EXPECT_EQ(sample(m, "inkan_downloads_total{code=,kind=p12,outcome=ok}"), 1.0);
    EXPECT_EQ(sample(m, "inkan_issuances_total{channel=p12,code=,outcome=ok}"), 1.0);
    double refused_downloads = 0;
    for (const auto& [key, value] : m) {
        if (key.rfind("inkan_downloads_total{", 0) == 0 &&
            key.find("outcome=refused") != std::string::npos)
            refused_downloads += value;
    }
    EXPECT_EQ(refused_downloads, 1.0);
}

// Without the front, a client's X-Request-Id is not believed: the answer and
// the log line carry a new id; the log line is one JSON object.
TEST(RequestLog, EachRequestIsLoggedAsJsonUnderTheIdItIsAnswered) {
    test::ApplianceFixture f;
    testing::internal::CaptureStderr();
    auto r = test::run("curl -s -D - -o /dev/null --cacert " +
                       test::shell_quote(f.config().ca_certificate_path().string()) +
                       " -H 'X-Request-Id: chosen-by-the-client' https://127.0.0.1:" +
                       std::to_string(f.server().public_port()) + "/healthz");
    auto missing = f.public_client().get("/no/such/path");
    let_the_server_finish();
    std::string log = testing::internal::GetCapturedStderr();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.output, m, std::regex("X-Request-Id: ([0-9a-f]{32})\r")))
        << r.output;
    const std::string id = m[1];
    auto lines = log_lines_of(log, id);
    ASSERT_EQ(lines.size(), 1u) << log;
    const json& line = lines[0];
    EXPECT_EQ(line["level"], "info");
    EXPECT_EQ(line["listener"], "public");
    EXPECT_EQ(line["method"], "GET");
    EXPECT_EQ(line["route"], "/healthz");
    EXPECT_EQ(line["status"], 200);
    EXPECT_TRUE(line["duration_ms"].is_number());
    EXPECT_TRUE(std::regex_match(line["time"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
        << line;
    EXPECT_EQ(log.find("chosen-by-the-client"), std::string::npos) << log;
    // An unknown path: the listener's JSON 404, traced too.
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(json::parse(missing.body)["code"], "not_found");
    ASSERT_EQ(log_lines_of(log, missing.headers["x-request-id"]).size(), 1u) << log;
    EXPECT_EQ(log_lines_of(log, missing.headers["x-request-id"])[0]["route"], "(unmatched)");
}

// The real binary: its request log on stderr, its /metrics on the admin port.
TEST(RequestLog, InkanServeLogsJsonLinesAndServesMetrics) {
    test::TempDir dir;
    ASSERT_EQ(test::run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    auto s = test::serve(dir);
    ASSERT_NE(s.public_port, 0) << s.process->output();
    ASSERT_NE(s.metrics_port, 0) << s.process->output();
    test::HttpsClient c;
    c.port = s.public_port;
    c.ca_file = (dir / "state" / "ca.pem").string();
    auto r = c.get("/healthz");
    ASSERT_EQ(r.status, 200) << r.error;
    const std::string id = r.headers["x-request-id"];
    ASSERT_EQ(id.size(), 32u);
    s.process->wait_for_line(id);
    auto lines = log_lines_of(s.process->output(), id);
    ASSERT_EQ(lines.size(), 1u) << s.process->output();
    EXPECT_EQ(lines[0]["route"], "/healthz");
    test::TempDir work;
    auto m = parse_exposition(work, fetch_metrics(s.metrics_port));
    EXPECT_EQ(sample(m,
                     "inkan_http_requests_total{listener=public,method=GET,route=/healthz,"
                     "status_class=2xx}"),
              1.0);
    EXPECT_EQ(s.process->stop(), 0);
}
