// Issue 4 acceptance over real HTTPS on loopback: request-file upload by an RA
// operator, the PIN page, P12 bulk ZIP / P12 individual / browser downloads,
// checked with openssl, NSS pk12util and unzip; the RA operator's unlock and re-send.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "pki/serial.h"
#include "store/sqlite.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using test::path_of;
using test::sh_ok;

// One issue row (15 columns). dl: 1 P12 individual, 2 P12 bulk, 3 browser.
std::string issue_row(int i, int dl, const std::string& cn_suffix = "") {
    std::string n = std::to_string(i);
    std::vector<std::string> f = {"CN=user" + n + cn_suffix + ".example.ac.jp,OU=" + n +
                                      ",O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP",
                                  "5",
                                  std::to_string(dl),
                                  "",
                                  "",
                                  "",
                                  "",
                                  "Admin Taro",
                                  "IT Center",
                                  "admin@example.ac.jp",
                                  "User " + n,
                                  "user" + n,
                                  "Engineering",
                                  "user" + n + "@example.ac.jp",
                                  ""};
    std::string line;
    for (size_t k = 0; k < f.size(); ++k) line += (k ? "\t" : "") + f[k];
    return line + "\r\n";
}

std::string issue_file(int rows, int dl, int first = 1) {
    std::string out;
    for (int i = first; i < first + rows; ++i) out += issue_row(i, dl);
    return out;
}

std::string run_ok(const std::string& cmd) {
    auto r = test::run(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
    return r.output;
}

// openssl prints serials in upper-case hex: the store's form is lower case
// without leading zeros; the decimal form from BN.
std::string ca_serial_key(std::string hex) {
    for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return hex.substr(std::min(hex.find_first_not_of('0'), hex.size() - 1));
}
std::string decimal_of_hex(const std::string& hex) {
    return pki::serial_to_decimal(pki::serial_from_hex(hex));
}

class RequestFlow : public ::testing::Test {
  protected:
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;

    json submit(const std::string& file, const std::string& mode, int expected_status) {
        auto r = f.operator_client().post("/api/v1/requests?action=issue&on_error=" + mode, file,
                                          "text/tab-separated-values");
        EXPECT_EQ(r.status, expected_status) << r.error << r.body.substr(0, 2000);
        return r.body.empty() ? json() : json::parse(r.body);
    }
    size_t batches() {
        auto r = f.operator_client().get("/api/v1/requests");
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)["batches"].size();
    }
    std::string ca() const { return f.config().ca_certificate_path().string(); }
    // The one PIN a row's PIN page shows (the page is used up).
    std::string pin_of(const std::string& pin_url) {
        auto page = f.public_client().post(path_of(pin_url), "");
        EXPECT_EQ(page.status, 200) << page.body;
        return json::parse(page.body)["entries"][0]["pin"].get<std::string>();
    }
    // A P12-individual download with `pin`.
    test::HttpResponse download_p12(const std::string& retrieval_url, const std::string& pin) {
        return f.public_client().post(path_of(retrieval_url), json{{"pin", pin}}.dump(),
                                      "application/json");
    }
    // Five wrong PINs: refused (403), then locked (423).
    void lock_with_wrong_pins(const std::string& retrieval_url) {
        for (int i = 0; i < 5; ++i) {
            auto r = download_p12(retrieval_url, "WRONGPIN" + std::to_string(i));
            EXPECT_TRUE(r.status == 403 || r.status == 423) << r.status << r.body;
        }
    }
};

}  // namespace

TEST_F(RequestFlow, P12BulkFiftyRowsPinPageOnceZipOpensWithOpenSslAndNss) {
    auto accepted = submit(issue_file(50, 2), "abort", 201);
    ASSERT_EQ(accepted["status"], "accepted");
    ASSERT_EQ(accepted["rows"].size(), 50u);
    auto pin_path = path_of(accepted["pin_url"]);
    auto zip_path = path_of(accepted["retrieval_url"]);

    // The ZIP is refused until the PIN page was viewed.
    EXPECT_EQ(f.public_client().post(zip_path, "{}", "application/json").status, 409);

    auto page = f.public_client().post(pin_path, "");
    ASSERT_EQ(page.status, 200) << page.body;
    auto pins = json::parse(page.body);
    ASSERT_EQ(pins["entries"].size(), 50u);
    EXPECT_NE(pins["tsv"].get<std::string>().find("\t"), std::string::npos);
    auto again = f.public_client().post(pin_path, "");
    EXPECT_EQ(again.status, 410);
    EXPECT_EQ(json::parse(again.body)["code"], "pin_url_used");

    auto zip = test::fetch_bulk_zip(f.public_client(), zip_path);
    ASSERT_EQ(zip.status, 200) << zip.body.substr(0, 500);
    test::write_file(work / "batch.zip", zip.body);
    sh_ok("cd " + work.path().string() + " && mkdir x && cd x && unzip -q ../batch.zip");
    auto db = "sql:" + (work / "nss").string();
    fs::create_directories(work / "nss");
    sh_ok("certutil -N --empty-password -d " + db);

    std::map<std::string, std::string> pin_by_subject;
    for (const auto& e : pins["entries"]) pin_by_subject[e["subject"]] = e["pin"];
    auto index = test::read_file(work / "x" / "client.txt");
    size_t p12_count = 0;
    for (const auto& entry : fs::directory_iterator(work / "x")) {
        if (entry.path().extension() != ".p12") continue;
        ++p12_count;
        // Which row? Column 12 named the file "user<n>", and row n's DN has OU=<n>.
        std::string p12 = entry.path().string();
        std::string n = entry.path().stem().string().substr(4);
        std::string opened_with;
        for (const auto& [subject, pin] : pin_by_subject) {
            if (subject.find(",OU=" + n + ",") != std::string::npos) opened_with = pin;
        }
        ASSERT_FALSE(opened_with.empty()) << p12 << " matches no row";
        sh_ok("openssl pkcs12 -in " + p12 + " -noout -passin pass:" + opened_with);
        sh_ok("openssl pkcs12 -info -in " + p12 + " -passin pass:" + opened_with +
              " -nokeys -clcerts -out " + p12 + ".pem");
        sh_ok("openssl verify -CAfile " + ca() + " " + p12 + ".pem");
        sh_ok("pk12util -i " + p12 + " -d " + db + " -W " + opened_with);
    }
    EXPECT_EQ(p12_count, 50u);
    EXPECT_NE(index.find("serial"), std::string::npos);

    // The batch shows every row downloaded.
    auto state =
        f.operator_client().get("/api/v1/requests/" + accepted["batch_id"].get<std::string>());
    ASSERT_EQ(state.status, 200);
    for (const auto& row : json::parse(state.body)["rows"]) EXPECT_EQ(row["status"], "downloaded");
}

TEST_F(RequestFlow, P12IndividualWithPinAndLockAfterFiveWrongPins) {
    auto accepted = submit(issue_file(2, 1), "abort", 201);
    ASSERT_EQ(accepted["rows"].size(), 2u);
    auto row = accepted["rows"][0];
    auto page = json::parse(f.public_client().post(path_of(row["pin_url"]), "").body);
    std::string pin = page["entries"][0]["pin"];
    auto p12 = download_p12(row["retrieval_url"], pin);
    ASSERT_EQ(p12.status, 200) << p12.body;
    test::write_file(work / "one.p12", p12.body);
    sh_ok("openssl pkcs12 -in " + (work / "one.p12").string() + " -noout -passin pass:" + pin);
    // A second download of the same row is refused.
    EXPECT_EQ(download_p12(row["retrieval_url"], pin).status, 410);

    // The other row: five wrong PINs lock it; then even the right PIN is refused.
    auto other = accepted["rows"][1];
    auto other_pin = pin_of(other["pin_url"]);
    lock_with_wrong_pins(other["retrieval_url"]);
    auto locked = download_p12(other["retrieval_url"], other_pin);
    EXPECT_EQ(locked.status, 423) << locked.body;
    // The audit trail has the download, every refusal with its code, and no PIN.
    auto audit = f.audit_text();
    EXPECT_NE(audit.find(R"("event":"p12_download")"), std::string::npos) << audit;
    EXPECT_NE(audit.find(R"("code":"row_locked")"), std::string::npos) << audit;
    EXPECT_NE(audit.find(R"("event":"request_file")"), std::string::npos) << audit;
    EXPECT_EQ(audit.find(pin), std::string::npos);
    EXPECT_EQ(audit.find(other_pin), std::string::npos);
    auto state = json::parse(f.operator_client()
                                 .get("/api/v1/requests/" + accepted["batch_id"].get<std::string>())
                                 .body);
    // The serial as a person reads it (decimal, as in request files and mails) and in hex.
    auto serial =
        run_ok("openssl pkcs12 -in " + (work / "one.p12").string() +
               " -nokeys -clcerts -passin pass:" + pin + " | openssl x509 -noout -serial");
    std::string hex = serial.substr(serial.find('=') + 1);
    hex.erase(hex.find_last_not_of("\n") + 1);
    EXPECT_EQ(state["rows"][0]["serial_hex"], ca_serial_key(hex));
    EXPECT_EQ(state["rows"][0]["serial"], decimal_of_hex(hex));
    EXPECT_EQ(state["rows"][1]["status"], "locked");
    EXPECT_EQ(state["rows"][1]["failed_pin_attempts"], 5);
}

TEST_F(RequestFlow, BrowserRowsTakeACsrAndRefuseBadOnes) {
    auto accepted = submit(issue_file(1, 3), "abort", 201);
    auto row = accepted["rows"][0];
    auto pin = pin_of(row["pin_url"]);
    auto url = path_of(row["retrieval_url"]);
    auto csr_of = [&](const std::string& name, const std::string& newkey, const std::string& subj) {
        sh_ok("openssl req -new -newkey " + newkey + " -nodes -keyout " +
              (work / (name + ".key")).string() + " -out " + (work / (name + ".csr")).string() +
              " -subj '" + subj + "'");
        return test::read_file(work / (name + ".csr"));
    };
    auto weak = csr_of("weak", "rsa:1024", "/CN=attacker");
    auto r =
        f.public_client().post(url, json{{"pin", pin}, {"csr", weak}}.dump(), "application/json");
    EXPECT_TRUE(r.status == 422 || r.status == 415) << r.status << r.body;
    EXPECT_EQ(json::parse(r.body)["code"], "csr_key_unsupported");
    r = f.public_client().post(url, json{{"pin", pin}, {"csr", "garbage bytes"}}.dump(),
                               "application/json");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(json::parse(r.body)["code"], "csr_malformed");
    auto good = csr_of("good", "ec -pkeyopt ec_paramgen_curve:P-256",
                       "/CN=evil.example.com/O=Someone Else");
    auto bad_sig = good;
    auto pos = bad_sig.rfind("-----END") - 10;
    bad_sig[pos] = bad_sig[pos] == 'A' ? 'B' : 'A';
    r = f.public_client().post(url, json{{"pin", pin}, {"csr", bad_sig}}.dump(),
                               "application/json");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(json::parse(r.body)["code"], "csr_bad_signature");

    r = f.public_client().post(url, json{{"pin", pin}, {"csr", good}, {"format", "pem"}}.dump(),
                               "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    test::write_file(work / "browser.pem", r.body);
    sh_ok("openssl verify -CAfile " + ca() + " " + (work / "browser.pem").string());
    auto subject = test::run("openssl x509 -noout -subject -nameopt RFC2253 -in " +
                             (work / "browser.pem").string());
    EXPECT_NE(subject.output.find("CN=user1.example.ac.jp"), std::string::npos) << subject.output;
    EXPECT_EQ(subject.output.find("evil"), std::string::npos)
        << "the subject must come from the approved row";
}

TEST_F(RequestFlow, AbortStoresNothingSkipIssuesTheValidRows) {
    std::string file = issue_file(49, 2) +
                       "CN=bad user!,O=Example "
                       "University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t2\t\t\t\t\tAdmin\t\tadmin@"
                       "example.ac.jp\tX\t\t\tx@example.ac.jp\t\r\n" +
                       issue_file(50, 2, 50);
    auto rejected = submit(file, "abort", 422);
    EXPECT_EQ(rejected["status"], "rejected");
    ASSERT_EQ(rejected["report"]["rejected"].size(), 1u);
    EXPECT_EQ(rejected["report"]["rejected"][0]["line"], 50);
    EXPECT_EQ(batches(), 0u);

    auto skipped = submit(file, "skip", 201);
    EXPECT_EQ(skipped["rows"].size(), 99u);
    EXPECT_EQ(skipped["report"]["rejected"][0]["line"], 50);
    EXPECT_FALSE(
        skipped["report"]["rejected"][0]["errors"][0]["message_en"].get<std::string>().empty());
    EXPECT_EQ(batches(), 1u);
}

TEST_F(RequestFlow, BadFilesAreRefusedWithClearErrors) {
    auto empty = submit("", "abort", 422);
    EXPECT_EQ(empty["code"], "file_empty");
    auto mixed = submit(issue_row(1, 1) + issue_row(2, 2), "abort", 422);
    EXPECT_EQ(mixed["code"], "download_type_mixed");
    auto latin1 = submit(
        std::string(
            "CN=caf\xe9,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\r\n\xff\xfe\x80\x81"),
        "abort", 422);
    EXPECT_EQ(latin1["code"], "encoding_invalid");
    auto huge =
        f.operator_client().post("/api/v1/requests?action=issue", std::string(300 * 1024, 'A'));
    EXPECT_EQ(huge.status, 413);
    auto no_action = f.operator_client().post("/api/v1/requests", issue_row(1, 1));
    EXPECT_EQ(no_action.status, 400);
    EXPECT_EQ(batches(), 0u);
    // Unknown URLs on the public side.
    EXPECT_EQ(f.public_client().post("/pin/doesnotexist", "").status, 404);
}

TEST_F(RequestFlow, PinPageAsATsvFile) {
    auto accepted = submit(issue_file(3, 2), "abort", 201);
    auto tsv = f.public_client().post(path_of(accepted["pin_url"]) + "?format=tsv", "");
    ASSERT_EQ(tsv.status, 200) << tsv.body;
    std::string all_headers;
    for (const auto& [k, v] : tsv.headers) all_headers += k + ": " + v + "\n";
    EXPECT_NE(tsv.headers["content-disposition"].find(".tsv"), std::string::npos) << all_headers;
    EXPECT_EQ(tsv.body.substr(0, tsv.body.find('\n')), "name\tmail\tPIN\tDN");
    EXPECT_EQ(std::count(tsv.body.begin(), tsv.body.end(), '\n'), 4);  // header + 3 rows
    EXPECT_EQ(f.public_client().post(path_of(accepted["pin_url"]) + "?format=tsv", "").status, 410);
}

TEST_F(RequestFlow, PinsAreNowhereInTheStateFolder) {
    auto accepted = submit(issue_file(3, 2), "abort", 201);
    auto pins = json::parse(f.public_client().post(path_of(accepted["pin_url"]), "").body);
    ASSERT_EQ(test::fetch_bulk_zip(f.public_client(), path_of(accepted["retrieval_url"])).status,
              200);
    f.services().database->with(
        [](store::Connection& c) { c.exec("PRAGMA wal_checkpoint(FULL)"); });
    for (const auto& e : pins["entries"]) {
        std::string pin = e["pin"];
        for (const auto& file : fs::recursive_directory_iterator(f.config().state_dir)) {
            if (!file.is_regular_file()) continue;
            auto content = test::read_file(file.path());
            EXPECT_EQ(content.find(pin), std::string::npos) << "PIN found in " << file.path();
        }
    }
}

// A person leaves: every valid certificate of the operator's institution whose
// row names that mail is revoked, and only those.
TEST_F(RequestFlow, RevokeByMailRevokesAllAndOnlyThatPersonsCertificates) {
    auto accepted = submit(issue_file(2, 1), "abort", 201);  // user1@, user2@example.ac.jp
    std::vector<std::string> serials;
    for (const auto& row : accepted["rows"]) {
        auto pin = pin_of(row["pin_url"]);
        auto p12 = download_p12(row["retrieval_url"], pin);
        ASSERT_EQ(p12.status, 200) << p12.body;
    }
    auto state = json::parse(f.operator_client()
                                 .get("/api/v1/requests/" + accepted["batch_id"].get<std::string>())
                                 .body);
    const std::string user1 = state["rows"][0]["serial"], user2 = state["rows"][1]["serial"];

    auto bad = f.operator_client().post(
        "/api/v1/revocations/by-mail",
        json{{"mail", "user1@example.ac.jp"}, {"reason", "2"}}.dump(), "application/json");
    EXPECT_EQ(bad.status, 400) << bad.body;
    EXPECT_EQ(json::parse(bad.body)["code"], "revocation_reason_invalid");

    // Another institution's operator: the same mail names none of its certificates.
    auto other = f.add_operator("other-op", "Other University");
    auto none = f.client_for(other).post(
        "/api/v1/revocations/by-mail",
        json{{"mail", "user1@example.ac.jp"}, {"reason", "3"}}.dump(), "application/json");
    ASSERT_EQ(none.status, 200) << none.body;
    EXPECT_TRUE(json::parse(none.body)["revoked"].empty());

    auto r = f.operator_client().post("/api/v1/revocations/by-mail",
                                      json{{"mail", "USER1@example.ac.jp"}, {"reason", "3"}}.dump(),
                                      "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    auto revoked = json::parse(r.body)["revoked"];
    ASSERT_EQ(revoked.size(), 1u) << r.body;
    EXPECT_EQ(revoked[0]["serial"], user1);
    auto one = json::parse(f.operator_client().get("/api/v1/certificates/" + user1).body);
    EXPECT_EQ(one["status"], "revoked");
    EXPECT_EQ(one["revocation_reason"], 3);
    EXPECT_EQ(json::parse(f.operator_client().get("/api/v1/certificates/" + user2).body)["status"],
              "valid");
    auto again = f.operator_client().post(
        "/api/v1/revocations/by-mail",
        json{{"mail", "user1@example.ac.jp"}, {"reason", "3"}}.dump(), "application/json");
    EXPECT_TRUE(json::parse(again.body)["revoked"].empty()) << again.body;
}

// Issue 8: an RA operator unlocks a row that wrong PINs locked and re-sends a
// row's expired URLs; both are in the audit log, the tokens are not.
TEST_F(RequestFlow, OperatorUnlocksALockedRowAndResendsExpiredUrls) {
    auto accepted = submit(issue_file(2, 1), "abort", 201);
    ASSERT_EQ(accepted["rows"].size(), 2u);
    const std::string id = accepted["batch_id"];
    const std::string rows = "/api/v1/requests/" + id + "/rows/";
    auto first = accepted["rows"][0];
    auto pin = pin_of(first["pin_url"]);
    lock_with_wrong_pins(first["retrieval_url"]);
    f.add_institution("Other University", "other.ac.jp");
    auto stranger = f.client_for(f.add_operator("other-op", "Other University"));
    auto foreign = stranger.post(rows + "1/unlock", "");
    EXPECT_EQ(foreign.status, 404) << foreign.body;
    EXPECT_EQ(json::parse(foreign.body)["code"], "batch_not_found");

    auto unlocked = f.operator_client().post(rows + "1/unlock", "");
    ASSERT_EQ(unlocked.status, 200) << unlocked.body;
    EXPECT_EQ(json::parse(unlocked.body)["row"]["status"], "pin_viewed");
    EXPECT_EQ(json::parse(unlocked.body)["row"]["failed_pin_attempts"], 0);
    auto p12 = download_p12(first["retrieval_url"], pin);
    EXPECT_EQ(p12.status, 200) << p12.body;
    auto again = f.operator_client().post(rows + "1/unlock", "");
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(json::parse(again.body)["code"], "row_not_locked");

    // Row 2's URLs are still valid; then they expire (in the store: the appliance
    // has no test clock) and are re-sent.
    auto early = f.operator_client().post(rows + "2/resend", "");
    EXPECT_EQ(early.status, 409);
    EXPECT_EQ(json::parse(early.body)["code"], "url_not_expired");
    f.services().database->with([&](store::Connection& c) {
        store::Statement rows_expired(
            c, "UPDATE issuance_rows SET urls_expire_at = 1 WHERE batch_id = ?");
        rows_expired.bind(1, id).run();
        store::Statement urls_expired(c,
                                      "UPDATE issuance_urls SET expires_at = 1 WHERE batch_id = ?");
        urls_expired.bind(1, id).run();
    });
    auto old = accepted["rows"][1];
    EXPECT_EQ(f.public_client().post(path_of(old["pin_url"]), "").status, 410);
    auto resent = f.operator_client().post(rows + "2/resend", "");
    ASSERT_EQ(resent.status, 200) << resent.body;
    auto renewed = json::parse(resent.body);
    EXPECT_EQ(renewed["status"], "resent");
    ASSERT_EQ(renewed["rows"].size(), 1u);
    auto fresh = renewed["rows"][0];
    EXPECT_EQ(fresh["row_id"], 2);
    EXPECT_EQ(f.public_client().post(path_of(old["pin_url"]), "").status, 404);
    auto second = download_p12(fresh["retrieval_url"], pin_of(fresh["pin_url"]));
    EXPECT_EQ(second.status, 200) << second.body;

    auto audit = f.audit_text();
    EXPECT_NE(audit.find(R"("event":"row_unlocked")"), std::string::npos) << audit;
    EXPECT_NE(audit.find(R"("code":"row_not_locked")"), std::string::npos) << audit;
    EXPECT_NE(audit.find(R"("event":"urls_resent")"), std::string::npos) << audit;
    EXPECT_NE(audit.find(R"("code":"url_not_expired")"), std::string::npos) << audit;
    EXPECT_NE(audit.find(R"("batch_id":")" + id), std::string::npos) << audit;
    const std::string token = path_of(fresh["pin_url"]).substr(5);  // "/pin/<token>"
    EXPECT_EQ(audit.find(token), std::string::npos);
}
