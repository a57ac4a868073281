// Issue 11, the server's side of the web pages over real HTTPS: pages and assets
// with the security headers, a PIN URL's GET that reveals and consumes nothing,
// the reveal by POST (JSON, TSV in UTF-8 or Shift_JIS), the dry-run check
// endpoint, and the cross-site refusal. The pages in a real browser: tests/web/.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/browser_guard.h"
#include "policy/request_text.h"
#include "tests/appliance/appliance_fixture.h"

using namespace inkan;
using nlohmann::json;

namespace {

using test::path_of;

std::string row(const std::string& cn, int download_type, const std::string& user_name) {
    return "CN=" + cn + ",O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t" +
           std::to_string(download_type) + "\t\t\t\t\tAdmin Taro\t\tadmin@example.ac.jp\t" +
           user_name + "\t\t\tuser@example.ac.jp\t\r\n";
}

class WebPages : public ::testing::Test {
  protected:
    test::ApplianceFixture f{{.issuance = true}};

    json upload(const std::string& file) {
        auto r = f.operator_client().post("/api/v1/requests?action=issue&on_error=abort", file);
        EXPECT_EQ(r.status, 201) << r.body;
        return json::parse(r.body);
    }
    size_t batches() {
        return json::parse(f.operator_client().get("/api/v1/requests").body)["batches"].size();
    }
    void expect_security_headers(const test::HttpResponse& r) {
        EXPECT_EQ(r.headers.at("content-security-policy"), api::kContentSecurityPolicy);
        EXPECT_NE(r.headers.at("content-security-policy").find("frame-ancestors 'none'"),
                  std::string::npos);
        EXPECT_EQ(r.headers.at("referrer-policy"), "no-referrer");
        EXPECT_EQ(r.headers.at("x-content-type-options"), "nosniff");
    }
};

TEST_F(WebPages, PagesAndAssetsCarryTheSecurityHeaders) {
    auto console = f.operator_client().get("/");
    ASSERT_EQ(console.status, 200);
    EXPECT_EQ(console.headers["content-type"], "text/html; charset=utf-8");
    EXPECT_NE(console.body.find("/web/console.js"), std::string::npos);
    EXPECT_EQ(console.body.find("<script>"), std::string::npos) << "no inline script";
    expect_security_headers(console);
    auto script = f.public_client().get("/web/pin.js");
    ASSERT_EQ(script.status, 200);
    EXPECT_EQ(script.headers["content-type"], "text/javascript; charset=utf-8");
    expect_security_headers(script);
    EXPECT_EQ(f.public_client().get("/web/pin.html").status, 404);  // pages at their own paths
    EXPECT_EQ(f.public_client().get("/web/nothing.js").status, 404);
    auto builder = f.public_client().get("/builder");
    EXPECT_EQ(builder.status, 200);
    expect_security_headers(builder);
    // The API's JSON carries them too.
    expect_security_headers(f.operator_client().get("/api/v1/requests"));
}

TEST_F(WebPages, PinUrlGetIsThePageAndConsumesNothing) {
    auto accepted = upload(row("web1.example.ac.jp", 1, "User"));
    std::string pin_path = path_of(accepted["rows"][0]["pin_url"]);
    for (int i = 0; i < 3; ++i) {  // a mail scanner, a preview, the person
        auto page = f.public_client().get(pin_path);
        ASSERT_EQ(page.status, 200);
        EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
        EXPECT_EQ(page.headers["cache-control"], "no-store");
        EXPECT_EQ(page.body.find("\"pin\""), std::string::npos);
        expect_security_headers(page);
    }
    auto status = f.public_client().get(pin_path + "/status");
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(json::parse(status.body)["status"], "available");
    EXPECT_EQ(json::parse(status.body)["rows"], 1);

    auto reveal = f.public_client().post(pin_path, "{}", "application/json");
    ASSERT_EQ(reveal.status, 200) << reveal.body;
    EXPECT_EQ(json::parse(reveal.body)["entries"].size(), 1u);
    auto again = f.public_client().post(pin_path, "{}", "application/json");
    EXPECT_EQ(again.status, 410);
    EXPECT_EQ(json::parse(again.body)["code"], "pin_url_used");
    auto gone = f.public_client().get(pin_path + "/status");
    EXPECT_EQ(gone.status, 410);
    EXPECT_EQ(json::parse(gone.body)["code"], "pin_url_used");
    EXPECT_EQ(f.public_client().get("/pin/unknown/status").status, 404);
    // The page itself still opens (it then says the PINs are gone).
    EXPECT_EQ(f.public_client().get(pin_path).status, 200);
}

TEST_F(WebPages, BulkPinTsvInShiftJis) {
    auto accepted = upload(row("web2.example.ac.jp", 2, "利用 花子") +
                           row("web3.example.ac.jp", 2, "利用 次郎"));
    auto tsv =
        f.public_client().post(path_of(accepted["pin_url"]) + "?format=tsv&encoding=shift_jis", "");
    ASSERT_EQ(tsv.status, 200) << tsv.body;
    EXPECT_EQ(tsv.headers["content-type"], "text/tab-separated-values; charset=Shift_JIS");
    auto utf8 = policy::convert_to_utf8(tsv.body, "CP932");
    ASSERT_TRUE(utf8);
    EXPECT_NE(tsv.body, *utf8);  // really Shift_JIS
    EXPECT_NE(utf8->find("利用 花子"), std::string::npos);
    EXPECT_EQ(utf8->substr(0, utf8->find('\n')), "name\tmail\tPIN\tDN");
    auto bad =
        f.public_client().post(path_of(accepted["pin_url"]) + "?format=tsv&encoding=latin1", "");
    EXPECT_EQ(bad.status, 400);
}

TEST_F(WebPages, CheckEndpointReportsAndStoresNothing) {
    std::string file =
        row("web4.example.ac.jp", 1, "User") + row("bad_name!.example.ac.jp", 1, "U");
    auto r = f.operator_client().post("/api/v1/requests/check?action=issue&on_error=skip", file);
    ASSERT_EQ(r.status, 200) << r.body;
    auto report = json::parse(r.body)["report"];
    EXPECT_EQ(report["ok"], false);
    EXPECT_EQ(report["accepted_lines"], json::array({1}));
    ASSERT_EQ(report["rejected"].size(), 1u);
    EXPECT_EQ(report["rejected"][0]["line"], 2);
    EXPECT_EQ(report["rejected"][0]["errors"][0]["column"], 1);
    EXPECT_FALSE(report["rejected"][0]["errors"][0]["message_ja"].get<std::string>().empty());
    EXPECT_EQ(batches(), 0u);
    // As the operator's institution, like the upload.
    auto other = f.operator_client().post(
        "/api/v1/requests/check?action=issue",
        "CN=x.example.ac.jp,O=Other University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t\t\t\t\tA\t\t"
        "admin@example.ac.jp\t\t\t\tuser@example.ac.jp\t\r\n");
    ASSERT_EQ(other.status, 200);
    EXPECT_EQ(json::parse(other.body)["report"]["rejected"][0]["errors"][0]["code"],
              "institution_mismatch");
    EXPECT_EQ(f.operator_client().post("/api/v1/requests/check", file).status, 400);  // no action
    EXPECT_EQ(
        f.anonymous_operator_client().post("/api/v1/requests/check?action=issue", file).status,
        0);  // no client certificate: no handshake
    EXPECT_EQ(batches(), 0u);
}

TEST_F(WebPages, CrossSitePostsAreRefused) {
    auto accepted = upload(row("web5.example.ac.jp", 1, "User"));
    std::string pin_path = path_of(accepted["rows"][0]["pin_url"]);
    auto evil = f.public_client();
    evil.headers = {{"Origin", "https://evil.example"}};
    auto refused = evil.post(pin_path, "");
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(json::parse(refused.body)["code"], "cross_site_request");
    auto fetch_meta = f.public_client();
    fetch_meta.headers = {{"Sec-Fetch-Site", "cross-site"}};
    EXPECT_EQ(fetch_meta.post(pin_path, "").status, 403);
    auto op = f.operator_client();
    op.headers = {{"Sec-Fetch-Site", "same-site"}};
    EXPECT_EQ(op.post("/api/v1/requests?action=issue", row("web6.example.ac.jp", 1, "U")).status,
              403);
    EXPECT_EQ(batches(), 1u);
    // Its own page (same origin) may; so may a client that is no browser.
    auto same = f.public_client();
    std::string host = "127.0.0.1:" + std::to_string(same.port);
    same.headers = {{"Origin", "https://" + host}, {"Host", host}};
    EXPECT_EQ(same.post(pin_path, "").status, 200);
}

TEST(BrowserGuard, SameSiteRule) {
    using api::same_site_or_not_a_browser;
    EXPECT_TRUE(same_site_or_not_a_browser("POST", "", "", "a:1"));  // curl
    EXPECT_TRUE(same_site_or_not_a_browser("POST", "same-origin", "https://x", "a:1"));
    EXPECT_TRUE(same_site_or_not_a_browser("POST", "none", "", "a:1"));
    EXPECT_FALSE(same_site_or_not_a_browser("POST", "same-site", "", "a:1"));
    EXPECT_FALSE(same_site_or_not_a_browser("POST", "cross-site", "https://a:1", "a:1"));
    EXPECT_TRUE(same_site_or_not_a_browser("POST", "", "https://a:1", "a:1"));
    EXPECT_TRUE(same_site_or_not_a_browser("POST", "", "https://a", "a:443"));
    EXPECT_FALSE(same_site_or_not_a_browser("POST", "", "https://b:1", "a:1"));
    EXPECT_FALSE(same_site_or_not_a_browser("POST", "", "null", "a:1"));
    EXPECT_TRUE(same_site_or_not_a_browser("GET", "cross-site", "https://b", "a"));  // links
}

}  // namespace
