// HSM yank and restore with the real binary (issue 13, defect 1; README "HSM
// faults"): SoftHSM's token directory made unreadable (chmod 000) or moved away
// under a running `inkan serve`, then restored. Root ignores file permissions,
// so when the test runs as root the appliance runs as `nobody` (setpriv) with
// its state folder handed to that user.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/appliance/inkan_process.h"
#include "tests/support/loopback_whois_server.h"

using namespace inkan;
using nlohmann::json;
using test::operator_client;
using test::run_inkan;
namespace fs = std::filesystem;

namespace {

enum class Fault { Unreadable, MovedAway };

std::string row_line(const std::string& cn) {
    return "CN=" + cn +
           ",O=Inkan Demo University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t\t\t\t\tAdmin\t\t"
           "admin@example.ac.jp\tUser\t\t\t" +
           cn.substr(0, cn.find('.')) + "@example.ac.jp\t\r\n";
}

std::string path_of(const json& url) {
    std::string s = url.get<std::string>();
    return s.substr(s.find('/', s.find("://") + 3));
}

void expect_hsm_unavailable(const test::HttpResponse& r, const std::string& what) {
    EXPECT_EQ(r.status, 503) << what << ": " << r.body;
    auto body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body.value("code", ""), "hsm_unavailable") << what << ": " << r.body;
    EXPECT_EQ(body.value("category", ""), "hsm_unavailable") << what << ": " << r.body;
    ASSERT_TRUE(r.headers.count("retry-after")) << what;
    EXPECT_GE(std::stoi(r.headers.at("retry-after")), 1) << what;
}

class HsmFault : public ::testing::TestWithParam<Fault> {};

TEST_P(HsmFault, YankAndRestoreTheTokenWhileServing) {
    test::TempDir dir;
    test::LoopbackWhoisServer whois;
    whois.answer("example.ac.jp", "Registrant Organization: Inkan Demo University\r\n");
    fs::create_directories(dir / "state");
    test::write_file(
        dir / "state" / "inkan.json",
        json{{"whois", {{"servers", {{"jp", "127.0.0.1:" + std::to_string(whois.port())}}}}},
             {"issuance", {{"p12_key_type", "ec-p256"}}}}
            .dump());
    auto init = run_inkan(dir, "init --key-type ec-p256");
    ASSERT_EQ(init.exit_code, 0) << init.output;
    std::vector<std::string> as_user;
    if (::geteuid() == 0) {  // root reads an unreadable directory: serve as nobody
        ASSERT_EQ(test::run("chown -R nobody:nogroup " + test::shell_quote(dir.path().string()))
                      .exit_code,
                  0);
        as_user = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
    }
    auto s = test::serve(dir, {{"INKAN_MAIL_TRANSPORT", "none"}}, as_user);
    ASSERT_NE(s.operator_port, 0) << s.process->output();
    auto op = operator_client(dir, s.operator_port);
    test::HttpsClient pub;
    pub.port = s.public_port;
    pub.ca_file = (dir / "state" / "ca.pem").string();

    auto upload = op.post("/api/v1/requests?action=issue",
                          row_line("a.example.ac.jp") + row_line("b.example.ac.jp"),
                          "text/tab-separated-values");
    ASSERT_EQ(upload.status, 201) << upload.body;
    auto rows = json::parse(upload.body)["rows"];
    ASSERT_EQ(rows.size(), 2u) << upload.body;
    // Row a: PIN page opened before the fault. Row b: opened during the fault.
    auto pin_a = pub.post(path_of(rows[0]["pin_url"]), "");
    ASSERT_EQ(pin_a.status, 200) << pin_a.body;
    std::string pin = json::parse(pin_a.body)["entries"][0]["pin"];
    auto r = test::run(
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout " +
        (dir / "u.key").string() + " -out " + (dir / "u.csr").string() +
        " -subj '/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Inkan Demo University/"
        "CN=u.example.ac.jp'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::string csr = test::read_file(dir / "u.csr");
    ASSERT_EQ(pub.get("/readyz").status, 200);

    // The fault.
    const fs::path tokens = dir / "state" / "tokens";
    const fs::path away = dir / "state" / "tokens.away";
    const fs::perms mode = fs::status(tokens).permissions();
    if (GetParam() == Fault::Unreadable) {
        fs::permissions(tokens, fs::perms::none, fs::perm_options::replace);
    } else {
        fs::rename(tokens, away);
    }
    expect_hsm_unavailable(op.post("/api/v1/certificates", csr), "issuance");
    expect_hsm_unavailable(pub.post(path_of(rows[1]["pin_url"]), ""), "PIN page");
    expect_hsm_unavailable(
        pub.post(path_of(rows[0]["retrieval_url"]), json{{"pin", pin}}.dump(), "application/json"),
        "P12 download");
    expect_hsm_unavailable(pub.get("/readyz"), "readiness");
    auto live = pub.get("/healthz");
    EXPECT_EQ(live.status, 200) << live.body;
    EXPECT_EQ(json::parse(live.body)["hsm"], "unavailable") << live.body;

    // The token comes back: the appliance recovers without a restart.
    if (GetParam() == Fault::Unreadable) {
        fs::permissions(tokens, mode, fs::perm_options::replace);
    } else {
        fs::rename(away, tokens);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int ready = 0;
    while (std::chrono::steady_clock::now() < deadline &&
           (ready = pub.get("/readyz").status) != 200) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    ASSERT_EQ(ready, 200) << s.process->output();
    EXPECT_EQ(json::parse(pub.get("/healthz").body)["hsm"], "ok");
    auto issued = op.post("/api/v1/certificates", csr);
    EXPECT_EQ(issued.status, 201) << issued.body;
    // The PIN page and the download the fault refused were not used up.
    auto pin_b = pub.post(path_of(rows[1]["pin_url"]), "");
    EXPECT_EQ(pin_b.status, 200) << pin_b.body;
    auto p12 =
        pub.post(path_of(rows[0]["retrieval_url"]), json{{"pin", pin}}.dump(), "application/json");
    EXPECT_EQ(p12.status, 200) << p12.body;
    EXPECT_EQ(s.process->stop(), 0) << s.process->output();
}

INSTANTIATE_TEST_SUITE_P(Faults, HsmFault, ::testing::Values(Fault::Unreadable, Fault::MovedAway),
                         [](const auto& p) {
                             return p.param == Fault::Unreadable ? std::string("Unreadable")
                                                                 : std::string("MovedAway");
                         });

// A missing token directory at start is the documented HSM exit code (3) with a
// message that says what to do, not an internal error (70).
TEST(HsmFaultAtStart, MissingTokenDirectoryExitsWithTheHsmCode) {
    test::TempDir dir;
    ASSERT_EQ(run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    fs::rename(dir / "state" / "tokens", dir / "state" / "tokens.away");
    auto s = test::serve(dir);
    EXPECT_EQ(s.process->wait(), 3) << s.process->output();
    EXPECT_NE(s.process->output().find("token directory"), std::string::npos)
        << s.process->output();
    EXPECT_NE(s.process->output().find("hsm_token_dir_missing"), std::string::npos)
        << s.process->output();
}

}  // namespace
