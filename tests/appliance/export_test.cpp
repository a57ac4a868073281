// Issue 9 points 4 and 5 over real HTTPS on loopback: the certificate
// information download (GET /api/v1/export, a chunked ZIP fetched with curl)
// and the statistics (GET /api/v1/statistics, `inkan stats`), for certificates
// issued through the appliance (CSRs, a request file, a renewal) in two
// institutions.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "pki/serial.h"
#include "policy/request_text.h"
#include "store/database.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;

namespace {

using test::sh_ok;
using test::subject_of;

const std::string kOther = "Other University";

// A P12-individual row for "CN=<cn>,OU=7,...", renewing `old_serial` if given.
std::string row(const std::string& cn, const std::string& old_serial = "") {
    return "CN=" + cn + ",OU=7,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t" +
           old_serial + "\t\t\t\tAdmin Taro\tIT\tadmin@example.ac.jp\t" + cn + "\t\t\t" +
           "user7@example.ac.jp\t\r\n";
}

std::vector<std::vector<std::string>> tsv_rows(const std::string& text) {
    std::vector<std::vector<std::string>> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find("\r\n", pos);
        EXPECT_NE(end, std::string::npos) << "every line ends in CRLF";
        if (end == std::string::npos) break;
        std::vector<std::string> fields;
        std::string line = text.substr(pos, end - pos);
        size_t start = 0;
        for (;;) {
            size_t tab = line.find('\t', start);
            fields.push_back(line.substr(start, tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        out.push_back(std::move(fields));
        pos = end + 2;
    }
    return out;
}

// Column n (1-based) of a TSV row.
const std::string& col(const std::vector<std::string>& r, size_t n) { return r.at(n - 1); }

class Export : public ::testing::Test {
  protected:
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;
    test::ClientCredential other_op;
    std::string a1, a2, r1, n1, b1;  // serials (decimal)

    void SetUp() override {
        f.add_institution(kOther, "other.ac.jp");
        other_op = f.add_operator("other-op", kOther);
        a1 = issue_csr(f.operator_client(), "a1", subject_of("a1.example.ac.jp"));
        a2 = issue_csr(f.operator_client(), "a2", subject_of("a2.example.ac.jp"));
        b1 = issue_csr(f.client_for(other_op), "b1", subject_of("b1.other.ac.jp", kOther));
        r1 = download(upload("issue", row("Export Taro")));
        n1 = download(upload("renew", row("Export Taro", r1)));
        auto revoked = f.services().certificates->find_by_decimal(a2);
        ASSERT_TRUE(revoked);
        f.services().certificates->revoke(revoked->serial_hex, 1, std::nullopt, store::unix_now());
    }

    std::string file(const std::string& name) const { return (work / name).string(); }

    std::string issue_csr(const test::HttpsClient& client, const std::string& name,
                          const std::string& subject) {
        std::string slash = "/" + std::regex_replace(subject, std::regex(","), "/");
        auto r = test::run(
            "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
            "-keyout " +
            file(name + ".key") + " -out " + file(name + ".csr") + " -subj " +
            test::shell_quote(slash));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        auto issued = client.post("/api/v1/certificates", test::read_file(file(name + ".csr")));
        EXPECT_EQ(issued.status, 201) << issued.body;
        return issued.status == 201 ? json::parse(issued.body)["serial"].get<std::string>() : "";
    }

    json upload(const std::string& action, const std::string& body) {
        auto r = f.operator_client().post("/api/v1/requests?action=" + action + "&on_error=abort",
                                          body, "text/tab-separated-values");
        EXPECT_EQ(r.status, 201) << r.body.substr(0, 2000);
        return r.status == 201 ? json::parse(r.body) : json();
    }

    // Downloads the batch's one row as a P12; returns its serial (decimal).
    std::string download(const json& batch) {
        if (batch.is_null()) return "";
        const json& r = batch["rows"][0];
        f.download_row(r["pin_url"], r["retrieval_url"]);
        auto state =
            json::parse(f.operator_client()
                            .get("/api/v1/requests/" + batch["batch_id"].get<std::string>())
                            .body);
        return state["rows"][0]["serial"];
    }

    // curl (chunked transfer decoded) as `who`; unzips into <name>/; returns the TSV bytes.
    std::string fetch(const test::ClientCredential& who, const std::string& query,
                      const std::string& name) {
        auto url = "https://127.0.0.1:" + std::to_string(f.operator_client().port) +
                   "/api/v1/export" + (query.empty() ? "" : "?" + query);
        sh_ok("curl -sSf --cacert " + f.config().ca_certificate_path().string() + " --cert " +
              who.cert_path.string() + " --key " + who.key_path.string() + " -o " +
              file(name + ".zip") + " " + test::shell_quote(url));
        sh_ok("unzip -tq " + file(name + ".zip"));
        sh_ok("unzip -oq " + file(name + ".zip") + " -d " + file(name));
        return test::read_file(work / name / "certificates.tsv");
    }

    static std::string utf8(const std::string& cp932) {
        auto text = policy::convert_to_utf8(cp932, "CP932");
        EXPECT_TRUE(text) << "certificates.tsv is not CP932";
        return text.value_or("");
    }

    static std::map<std::string, std::vector<std::string>> by_serial(
        const std::vector<std::vector<std::string>>& rows) {
        std::map<std::string, std::vector<std::string>> out;
        for (size_t i = 1; i < rows.size(); ++i) out[col(rows[i], 24)] = rows[i];
        return out;
    }
};

}  // namespace

TEST_F(Export, OperatorGetsOwnInstitutionsCertificatesAsShiftJisTsvAndVerifiablePems) {
    auto rows = tsv_rows(utf8(fetch(f.operator_credential(), "", "mine")));
    ASSERT_EQ(rows.size(), 5u);  // header + a1, a2, r1, n1
    const auto& header = rows[0];
    ASSERT_EQ(header.size(), 29u);
    EXPECT_EQ(col(header, 4), "サブジェクトDN");
    EXPECT_EQ(col(header, 12), "状態");
    EXPECT_EQ(col(header, 15), "利用者メールアドレス");
    EXPECT_EQ(col(header, 24), "シリアル番号");
    EXPECT_EQ(col(header, 27), "有効期限");
    EXPECT_EQ(col(header, 28), "取得URL有効期限");
    auto got = by_serial(rows);
    ASSERT_EQ(got.size(), 4u);
    for (const auto& s : {a1, a2, r1, n1}) ASSERT_TRUE(got.count(s)) << s;
    EXPECT_FALSE(got.count(b1));

    EXPECT_EQ(col(got[a1], 4), subject_of("a1.example.ac.jp"));
    EXPECT_EQ(col(got[a1], 12), "1");
    EXPECT_EQ(col(got[a2], 12), "7");
    EXPECT_EQ(col(got[a2], 21), "1");  // keyCompromise
    EXPECT_EQ(col(got[a1], 15), "");   // a CSR has no request row
    EXPECT_EQ(col(got[a1], 28), "");
    EXPECT_EQ(col(got[r1], 15), "user7@example.ac.jp");
    EXPECT_EQ(col(got[r1], 14), "admin@example.ac.jp");
    EXPECT_EQ(col(got[r1], 7), "1");
    EXPECT_EQ(col(got[r1], 10), "issue");
    EXPECT_EQ(col(got[n1], 10), "renew");
    EXPECT_EQ(col(got[n1], 23), r1);
    EXPECT_TRUE(
        std::regex_match(col(got[r1], 28), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
        << col(got[r1], 28);
    auto rec = f.services().certificates->find_by_decimal(r1);
    ASSERT_TRUE(rec);
    EXPECT_EQ(col(got[r1], 1), rec->serial_hex);
    std::time_t t = rec->not_after;
    char expiry[32];
    std::strftime(expiry, sizeof expiry, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    EXPECT_EQ(col(got[r1], 27), expiry);

    for (const auto& s : {a1, a2, r1, n1}) {
        EXPECT_EQ(col(got[s], 29), "certs/" + s + ".pem");
        sh_ok("openssl verify -CAfile " + f.config().ca_certificate_path().string() + " " +
              file("mine/certs/" + s + ".pem"));
    }
    auto audit = f.audit_text();
    EXPECT_NE(audit.find("\"certificate_export\""), std::string::npos);
    EXPECT_NE(audit.find("\"certificates\":4"), std::string::npos) << audit;
    auto listing = test::run("unzip -Z1 " + file("mine.zip"));
    EXPECT_EQ(std::count(listing.output.begin(), listing.output.end(), '\n'), 5) << listing.output;
}

TEST_F(Export, AnotherInstitutionsOperatorSeesNoneOfTheseAndAServiceAdminSeesAll) {
    auto theirs = by_serial(tsv_rows(utf8(fetch(other_op, "", "theirs"))));
    ASSERT_EQ(theirs.size(), 1u);
    EXPECT_TRUE(theirs.count(b1));
    auto admin = f.add_operator("admin", "Service Desk", store::OperatorRole::ServiceAdmin);
    EXPECT_EQ(by_serial(tsv_rows(utf8(fetch(admin, "", "all")))).size(), 5u);
}

TEST_F(Export, Utf8EncodingAndFiltersNarrowIt) {
    auto text = fetch(f.operator_credential(), "encoding=utf-8&status=revoked", "revoked");
    EXPECT_TRUE(policy::is_valid_utf8(text));
    auto rows = tsv_rows(text);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(col(rows[0], 4), "サブジェクトDN");
    EXPECT_EQ(col(rows[1], 24), a2);
    EXPECT_EQ(col(rows[1], 12), "7");

    auto one = tsv_rows(utf8(fetch(f.operator_credential(), "serial=" + r1, "one")));
    ASSERT_EQ(one.size(), 2u);
    EXPECT_EQ(col(one[1], 24), r1);
    auto valid = tsv_rows(
        utf8(fetch(f.operator_credential(), "status=valid&mail=user7%40example.ac.jp", "valid")));
    EXPECT_EQ(valid.size(), 3u);  // r1 and n1
}

// The body is written from a worker thread while the reactor serves the
// connection: repeated downloads must each arrive whole (Pistache 0.0.5 once
// aborted here when the worker flushed the transport itself).
TEST_F(Export, RepeatedDownloadsArriveWhole) {
    for (int i = 0; i < 6; ++i) {
        auto rows = tsv_rows(utf8(fetch(f.operator_credential(), "", "again" + std::to_string(i))));
        EXPECT_EQ(rows.size(), 5u);
    }
}

// Several 64 KiB chunks: 400 more records (copies of a1's certificate under
// other serials, put straight into the store) make a ZIP of a few hundred KiB.
TEST_F(Export, ALargeExportArrivesInManyChunks) {
    auto model = f.services().certificates->find_by_decimal(a1);
    ASSERT_TRUE(model);
    for (int i = 0; i < 400; ++i) {
        auto r = *model;
        r.serial_hex = "7e" + std::to_string(100000 + i);
        r.serial_dec = "9" + std::to_string(100000 + i);
        r.subject = subject_of("copy" + std::to_string(i) + ".example.ac.jp");
        f.services().certificates->reserve_serial(r.serial_hex);
        f.services().certificates->insert(r);
    }
    auto rows = tsv_rows(utf8(fetch(f.operator_credential(), "", "large")));
    EXPECT_EQ(rows.size(), 1u + 4u + 400u);
    EXPECT_GT(std::filesystem::file_size(work / "large.zip"), 3u * 64 * 1024);
    EXPECT_EQ(test::read_file(work / "large" / "certs" / "9100399.pem"),
              test::read_file(work / "large" / "certs" / (a1 + ".pem")));
}

TEST_F(Export, BadQueriesGetAProblemBeforeAnyZip) {
    auto bad = f.operator_client().get("/api/v1/export?status=bogus");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(json::parse(bad.body)["code"], "status_invalid");
    auto paging = f.operator_client().get("/api/v1/export?limit=5");
    EXPECT_EQ(paging.status, 400);
    EXPECT_EQ(json::parse(paging.body)["code"], "query_parameter_unknown");
    auto enc = f.operator_client().get("/api/v1/export?encoding=latin1");
    EXPECT_EQ(json::parse(enc.body)["code"], "encoding_invalid");
    EXPECT_EQ(f.anonymous_operator_client().get("/api/v1/export").status, 0);
    // Nothing is left behind in the state folder's scratch space.
    auto tmp = f.config().state_dir / "tmp";
    if (std::filesystem::exists(tmp)) {
        EXPECT_TRUE(std::filesystem::is_empty(tmp));
    }
}

TEST_F(Export, StatisticsCountIssuedRenewedRevokedValidPerMonthProfileAndDownloadType) {
    auto r = f.operator_client().get("/api/v1/statistics");
    ASSERT_EQ(r.status, 200) << r.body;
    auto s = json::parse(r.body);
    EXPECT_EQ(s["institution"], "Example University");
    json total = {{"issued", 4}, {"renewed", 1}, {"revoked", 1}, {"valid", 3}, {"expiring_30d", 0}};
    EXPECT_EQ(s["total"], total);
    ASSERT_EQ(s["by_month"].size(), 1u);
    std::time_t now = std::time(nullptr);
    char month[8];
    std::strftime(month, sizeof month, "%Y-%m", std::gmtime(&now));
    auto m = total;
    m["month"] = month;
    EXPECT_EQ(s["by_month"][0], m);
    ASSERT_EQ(s["by_profile"].size(), 1u);
    EXPECT_EQ(s["by_profile"][0]["profile"], 5);
    EXPECT_EQ(s["by_profile"][0]["issued"], 4);
    json by_type = json::array({{{"download_type", 0},
                                 {"issued", 2},
                                 {"renewed", 0},
                                 {"revoked", 1},
                                 {"valid", 1},
                                 {"expiring_30d", 0}},
                                {{"download_type", 1},
                                 {"issued", 2},
                                 {"renewed", 1},
                                 {"revoked", 0},
                                 {"valid", 2},
                                 {"expiring_30d", 0}}});
    EXPECT_EQ(s["by_download_type"], by_type);

    auto theirs = json::parse(f.client_for(other_op).get("/api/v1/statistics").body);
    EXPECT_EQ(theirs["total"]["issued"], 1);

    auto csv = f.operator_client().get("/api/v1/statistics?format=csv");
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")),
              "dimension,key,issued,renewed,revoked,valid,expiring_30d");
    EXPECT_NE(csv.body.find("\r\ntotal,,4,1,1,3,0\r\n"), std::string::npos) << csv.body;
    EXPECT_NE(csv.body.find("\r\ndownload_type,0,2,0,1,1,0\r\n"), std::string::npos);
    EXPECT_EQ(f.operator_client().get("/api/v1/statistics?format=xml").status, 400);
}

TEST_F(Export, InkanStatsReadsTheStore) {
    auto bin = std::string(INKAN_BINARY_DIR) + "/appliance/inkan --state-dir " +
               f.config().state_dir.string() + " stats";
    auto all = test::run(bin + " --format csv");
    ASSERT_EQ(all.exit_code, 0) << all.output;
    EXPECT_NE(all.output.find("dimension,key,issued,renewed,revoked,valid,expiring_30d"),
              std::string::npos);
    EXPECT_NE(all.output.find("total,,5,1,1,4,0"), std::string::npos) << all.output;
    auto one = test::run(bin + " --institution " + test::shell_quote(kOther));
    ASSERT_EQ(one.exit_code, 0) << one.output;
    auto j = json::parse(one.output);
    EXPECT_EQ(j["total"]["issued"], 1);
    EXPECT_EQ(j["institution"], kOther);
    EXPECT_EQ(test::run(bin + " --format xml").exit_code, 2);
}
