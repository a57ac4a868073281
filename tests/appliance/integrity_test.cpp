// Issue 7 acceptance over real HTTPS on loopback: an RA operator requests only
// for its own institution, the S/MIME mailbox's domain is checked, a DN is
// claimed once (also under concurrent uploads and CSRs), a row is re-checked at
// download, and a CSR's subject is checked and rebuilt, read back with openssl.
#include <gtest/gtest.h>

#include <functional>
#include <latch>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "pki/encoding.h"
#include "pki/name.h"
#include "policy/findings.h"
#include "policy/institution_rules.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;

namespace {

using test::path_of;
using test::sh_ok;

constexpr const char* kA = "Example University";

// DN of institution A (registered ST=Tokyo, L=Chiyoda-ku).
std::string dn_a(const std::string& cn, const std::string& ou = "") {
    return "CN=" + cn + (ou.empty() ? "" : ",OU=" + ou) + ",O=" + kA +
           ",L=Chiyoda-ku,ST=Tokyo,C=JP";
}

// One issue row (15 columns). type: 1 P12 individual, 2 P12 bulk, 3 browser.
struct Row {
    Row(std::string dn_, int profile_ = 5, int type_ = 1,
        std::string admin_mail_ = "admin@example.ac.jp",
        std::string user_mail_ = "user@example.ac.jp", std::string file_name_ = "")
        : dn(std::move(dn_)),
          profile(profile_),
          type(type_),
          admin_mail(std::move(admin_mail_)),
          user_mail(std::move(user_mail_)),
          file_name(std::move(file_name_)) {}
    std::string dn;
    int profile;
    int type;
    std::string admin_mail;  // column 10
    std::string user_mail;   // column 14
    std::string file_name;   // column 12
};

std::string tsv(const std::vector<Row>& rows) {
    std::string out;
    for (const Row& r : rows) {
        std::vector<std::string> f = {r.dn,
                                      std::to_string(r.profile),
                                      std::to_string(r.type),
                                      "",
                                      "",
                                      "",
                                      "",
                                      "Admin Taro",
                                      "IT Center",
                                      r.admin_mail,
                                      "User Hanako",
                                      r.file_name,
                                      "Engineering",
                                      r.user_mail,
                                      ""};
        for (size_t k = 0; k < f.size(); ++k) out += (k ? "\t" : "") + f[k];
        out += "\r\n";
    }
    return out;
}

// What an upload or a download answers for a finding: "English (detail) / 日本語".
std::string error_message(const std::string& code, size_t column, const std::string& detail) {
    return policy::to_error(policy::make_finding(code, 1, column, detail)).what();
}

// The JSON problem {code, category, message} of an error answer ({} if the body is none).
json problem_of(const test::HttpResponse& r) {
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() ? j : json::object();
}

// The first finding of the rejected row on `line` of an upload report.
json finding_on(const json& answer, int line) {
    for (const auto& r : answer["report"]["rejected"])
        if (r["line"] == line) return r["errors"][0];
    ADD_FAILURE() << "no rejected row on line " << line << ": " << answer.dump();
    return json::object();
}

class IntegrityTest : public ::testing::Test {
  protected:
    explicit IntegrityTest(test::ApplianceOptions options = {.issuance = true}) : f(options) {}

    test::ApplianceFixture f;
    test::TempDir work;

    json upload(const test::HttpsClient& c, const std::string& file, const std::string& mode,
                int status) {
        auto r = c.post("/api/v1/requests?action=issue&on_error=" + mode, file,
                        "text/tab-separated-values");
        EXPECT_EQ(r.status, status) << r.error << r.body.substr(0, 3000);
        return r.body.empty() ? json::object() : json::parse(r.body);
    }
    json upload(const std::string& file, const std::string& mode, int status) {
        return upload(f.operator_client(), file, mode, status);
    }
    size_t batches(const test::HttpsClient& c) {
        auto r = c.get("/api/v1/requests");
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)["batches"].size();
    }
    json batch(const std::string& id) {
        return json::parse(f.operator_client().get("/api/v1/requests/" + id).body);
    }
    std::vector<store::CertificateRecord> subscribers() {
        store::CertificateFilter filter;
        filter.kind = store::CertificateKind::Subscriber;
        return f.services().certificates->list(filter);
    }
    // A P12-bulk job signs its rows when the PIN page was viewed; a ZIP refused
    // later revokes them. What counts is that no valid certificate is left.
    size_t valid_subscribers() {
        size_t n = 0;
        for (const auto& c : subscribers()) n += c.status == store::CertificateStatus::Valid;
        return n;
    }
    size_t valid_with_subject(const std::string& subject) {
        size_t n = 0;
        for (const auto& c : subscribers())
            n += c.subject == subject && c.status == store::CertificateStatus::Valid;
        return n;
    }
    std::string csr(const std::string& name, const std::string& subject) {
        auto key = (work / (name + ".key")).string();
        auto out = (work / (name + ".csr")).string();
        auto r = test::run(
            "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + key +
            " -out " + out + " -subj " + test::shell_quote(subject));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return test::read_file(out);
    }
    std::string pin(const std::string& pin_url) {
        auto page = f.public_client().post(path_of(pin_url), "");
        EXPECT_EQ(page.status, 200) << page.body;
        return json::parse(page.body)["entries"][0]["pin"];
    }
    // Registers an institution with one domain (approved until 2099 unless not)
    // and the loopback WHOIS answer for it.
    void add_institution(const std::string& name, const std::string& domain,
                         const std::string& whois_org, bool approved, const std::string& st,
                         const std::string& l) {
        policy::Institution inst;
        inst.name = name;
        inst.state = st;
        inst.locality = l;
        inst.whois_names = {whois_org};
        inst.enabled_profiles = {5, 7, 13, 14, 15, 16};
        if (approved) inst.domains = {{domain, *policy::parse_date("2099-12-31")}};
        f.services().policy->registry().add(inst);
        f.whois().answer(domain, "Domain Name: " + domain +
                                     "\r\nRegistrant Organization: " + whois_org + "\r\n");
    }
    // The certificate inside a P12, as PEM in `work`.
    std::string p12_certificate(const std::string& name, const std::string& p12,
                                const std::string& password) {
        auto path = (work / (name + ".p12")).string();
        test::write_file(path, p12);
        sh_ok("openssl pkcs12 -in " + path + " -nokeys -clcerts -passin pass:" + password +
              " -out " + path + ".pem");
        return path + ".pem";
    }
};

class IntegrityInstitution : public IntegrityTest {};
class IntegritySmime : public IntegrityTest {};
class IntegrityDuplicateDn : public IntegrityTest {
  protected:
    // n requests at once (a latch releases them together); their answers by index.
    static std::vector<test::HttpResponse> concurrently(
        int n, const std::function<test::HttpResponse(int)>& request) {
        std::vector<test::HttpResponse> answers(static_cast<size_t>(n));
        std::latch start(n);
        std::vector<std::jthread> threads;
        for (int i = 0; i < n; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                answers[static_cast<size_t>(i)] = request(i);
            });
        }
        threads.clear();  // joins
        return answers;
    }
    // Eight uploads of the same file at once: exactly one is stored, every other
    // answer is 422 (rows dn_duplicate). Returns the stored one's answer.
    json race_uploads(const std::vector<Row>& rows) {
        const std::string file = tsv(rows);
        auto client = f.operator_client();
        auto answers = concurrently(8, [&](int) {
            return client.post("/api/v1/requests?action=issue&on_error=abort", file,
                               "text/tab-separated-values");
        });
        json winner;
        int accepted = 0;
        for (const auto& a : answers) {
            if (a.status == 201) {
                ++accepted;
                winner = json::parse(a.body);
                continue;
            }
            EXPECT_EQ(a.status, 422) << a.error << a.body.substr(0, 500);
            if (a.status != 422) continue;
            // Rows checked before the winner was stored are withheld (abort mode), the others
            // dn_duplicate.
            const json refused = json::parse(a.body);
            const json& report = refused["report"];
            EXPECT_GE(report["rejected"].size(), 1u);
            EXPECT_EQ(report["rejected"].size() + report["withheld_lines"].size(), rows.size());
            for (const auto& r : report["rejected"])
                EXPECT_EQ(r["errors"][0]["code"], "dn_duplicate");
        }
        EXPECT_EQ(accepted, 1);
        EXPECT_EQ(batches(client), 1u);
        return winner;
    }
};

// Three rows of A waiting for their download (PIN pages viewed): P12 individual,
// browser, P12 bulk.
struct PendingRows {
    std::string p12_url, p12_pin, browser_url, browser_pin, zip_url;
    std::vector<std::string> batch_ids;
};

class IntegrityDownloadRecheck : public IntegrityTest {
  protected:
    // WHOIS answers are not cached, so a changed answer shows at the next download.
    IntegrityDownloadRecheck() : IntegrityTest({.issuance = true, .whois_cache_ttl_seconds = 0}) {}

    const std::vector<std::string> cns_ = {"ind.example.ac.jp", "brw.example.ac.jp",
                                           "blk.example.ac.jp"};
    std::string browser_csr_;

    PendingRows prepare(const test::HttpsClient& c) {
        PendingRows p;
        auto ind = upload(c, tsv({{dn_a(cns_[0], "1"), 5, 1}}), "abort", 201);
        auto brw = upload(c, tsv({{dn_a(cns_[1], "3"), 5, 3}}), "abort", 201);
        auto blk = upload(c, tsv({{dn_a(cns_[2], "2"), 5, 2}}), "abort", 201);
        p.p12_url = path_of(ind["rows"][0]["retrieval_url"]);
        p.p12_pin = pin(ind["rows"][0]["pin_url"]);
        p.browser_url = path_of(brw["rows"][0]["retrieval_url"]);
        p.browser_pin = pin(brw["rows"][0]["pin_url"]);
        p.zip_url = path_of(blk["retrieval_url"]);
        pin(blk["pin_url"]);
        for (const auto* b : {&ind, &brw, &blk}) p.batch_ids.push_back((*b)["batch_id"]);
        browser_csr_ = csr("browser", "/CN=whatever");
        return p;
    }
    std::vector<test::HttpResponse> download_all(const PendingRows& p) {
        auto c = f.public_client();
        return {
            c.post(p.p12_url, json{{"pin", p.p12_pin}}.dump(), "application/json"),
            c.post(p.browser_url,
                   json{{"pin", p.browser_pin}, {"csr", browser_csr_}, {"format", "pem"}}.dump(),
                   "application/json"),
            test::fetch_bulk_zip(c, p.zip_url)};
    }
    // What an upload says now about a row with each pending row's CN (another
    // OU, so not a duplicate): "English / 日本語" per row, after checking its code.
    std::vector<std::string> upload_messages(const std::string& code) {
        auto answer = upload(
            tsv({{dn_a(cns_[0], "probe")}, {dn_a(cns_[1], "probe")}, {dn_a(cns_[2], "probe")}}),
            "abort", 422);
        std::vector<std::string> messages;
        for (int line = 1; line <= 3; ++line) {
            auto finding = finding_on(answer, line);
            EXPECT_EQ(finding["code"], code) << answer.dump();
            messages.push_back(finding.value("message_en", "") + " / " +
                               finding.value("message_ja", ""));
        }
        return messages;
    }
    void expect_refused(const std::vector<test::HttpResponse>& answers, int status,
                        const std::string& code, const std::vector<std::string>& messages) {
        const char* kinds[] = {"p12", "browser", "zip"};
        for (size_t i = 0; i < answers.size(); ++i) {
            SCOPED_TRACE(kinds[i]);
            EXPECT_EQ(answers[i].status, status) << answers[i].body.substr(0, 500);
            auto problem = problem_of(answers[i]);
            EXPECT_EQ(problem.value("code", ""), code) << answers[i].body.substr(0, 500);
            if (!messages.empty()) {
                EXPECT_EQ(problem.value("message", ""), messages[i]);
            }
        }
    }
    void expect_still_waiting(const PendingRows& p) {
        for (const auto& id : p.batch_ids) {
            auto rows = batch(id)["rows"];
            ASSERT_EQ(rows.size(), 1u);
            EXPECT_EQ(rows[0]["status"], "pin_viewed") << id;
            EXPECT_EQ(rows[0]["failed_pin_attempts"], 0) << id;
        }
    }
    void expect_delivered(const std::vector<test::HttpResponse>& answers) {
        for (const auto& a : answers) EXPECT_EQ(a.status, 200) << a.body.substr(0, 500);
        EXPECT_EQ(valid_with_subject(dn_a(cns_[0], "1")), 1u);
        EXPECT_EQ(valid_with_subject(dn_a(cns_[1], "3")), 1u);
        EXPECT_EQ(valid_with_subject(dn_a(cns_[2], "2")), 1u);
        EXPECT_EQ(valid_subscribers(), 3u);
    }
};
class IntegrityCsrSubject : public IntegrityTest {};

}  // namespace

// ---------------------------------------------------------------------------
// 1. An RA operator names only its own institution in O.

TEST_F(IntegrityInstitution, RowsAndCsrsNamingAnotherInstitutionAreRefusedAndStoreNothing) {
    add_institution("Other University", "other.ac.jp", "Other University", true, "Osaka",
                    "Suita-shi");
    add_institution("Twin University", "twin.ac.jp", kA, true, "Tokyo",
                    "Chiyoda-ku");  // A's WHOIS organisation
    add_institution("Pending University", "pending.ac.jp", "Pending University", false, "Tokyo",
                    "Minato-ku");
    std::map<std::string, std::string> place = {{"Other University", "L=Suita-shi,ST=Osaka"},
                                                {"Twin University", "L=Chiyoda-ku,ST=Tokyo"},
                                                {"Pending University", "L=Minato-ku,ST=Tokyo"}};
    std::map<std::string, test::HttpsClient> own;  // B's own operator: the positive control
    for (const auto& [name, l_st] : place)
        own[name] = f.client_for(f.add_operator("op of " + name, name));

    struct Case {
        std::string what, institution, row_cn, csr_cn;
        std::string own_code;  // what B's own operator gets: "" = issued
    };
    const std::vector<Case> cases = {
        {"B, its domain approved", "Other University", "u1.other.ac.jp", "c1.other.ac.jp", ""},
        {"B with A's WHOIS organisation", "Twin University", "u1.twin.ac.jp", "c1.twin.ac.jp", ""},
        {"B, its domain not approved", "Pending University", "u1.pending.ac.jp", "c1.pending.ac.jp",
         "domain_not_approved"},
        {"O=B, CN in A's domain", "Other University", "u2.example.ac.jp", "c2.example.ac.jp",
         "domain_not_approved"},
    };
    auto dn_of = [&](const Case& c, const std::string& cn) {
        return "CN=" + cn + ",O=" + c.institution + "," + place[c.institution] + ",C=JP";
    };
    auto subj_of = [&](const Case& c, const std::string& cn) {
        auto l_st = place[c.institution];  // "L=..,ST=.."
        auto comma = l_st.find(',');
        return "/C=JP/" + l_st.substr(comma + 1) + "/" + l_st.substr(0, comma) +
               "/O=" + c.institution + "/CN=" + cn;
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        const std::string expected = error_message(
            "institution_mismatch", 1, "O=" + c.institution + ", your institution: " + kA);
        const std::string row =
            tsv({{dn_of(c, c.row_cn), 5, 1, "admin@other.ac.jp", "user@other.ac.jp"}});
        for (const char* mode : {"abort", "skip"}) {
            auto answer = upload(row, mode, 422);
            EXPECT_EQ(answer["status"], "rejected");
            EXPECT_EQ(answer["code"], "request_file_rejected");
            ASSERT_EQ(answer["report"]["rejected"].size(), 1u) << answer.dump();
            ASSERT_EQ(answer["report"]["rejected"][0]["errors"].size(), 1u) << answer.dump();
            auto finding = finding_on(answer, 1);
            EXPECT_EQ(finding["code"], "institution_mismatch");
            EXPECT_EQ(finding["service_code"], 408);
            EXPECT_EQ(finding["column"], 1);
            EXPECT_EQ(finding["message_ja"],
                      "主体者DNのOが申請者の機関と一致しません。自機関の証明書のみ申請できます。");
            EXPECT_EQ(finding["message_en"].get<std::string>() + " / " +
                          finding["message_ja"].get<std::string>(),
                      expected);
        }
        auto r = f.operator_client().post("/api/v1/certificates",
                                          csr("a-" + c.csr_cn, subj_of(c, c.csr_cn)));
        EXPECT_EQ(r.status, 403) << r.body;
        auto problem = problem_of(r);
        EXPECT_EQ(problem.value("code", ""), "institution_mismatch");
        EXPECT_EQ(problem.value("category", ""), "forbidden");
        EXPECT_EQ(problem.value("message", ""), expected);
    }
    EXPECT_EQ(batches(f.operator_client()), 0u);
    EXPECT_EQ(subscribers().size(), 0u);

    // The same rows and CSRs from B's own operator: the refusal above was A's.
    size_t issued = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what + " (B's own operator)");
        const std::string row =
            tsv({{dn_of(c, c.row_cn), 5, 1, "admin@other.ac.jp", "user@other.ac.jp"}});
        auto answer = upload(own[c.institution], row, "abort", c.own_code.empty() ? 201 : 422);
        auto r = own[c.institution].post("/api/v1/certificates",
                                         csr("b-" + c.csr_cn, subj_of(c, c.csr_cn)));
        if (c.own_code.empty()) {
            EXPECT_EQ(answer["status"], "accepted");
            EXPECT_EQ(r.status, 201) << r.body;
            ++issued;
        } else {
            EXPECT_EQ(finding_on(answer, 1)["code"], c.own_code);
            EXPECT_EQ(r.status, 403) << r.body;
            EXPECT_EQ(problem_of(r).value("code", ""), c.own_code);
        }
    }
    EXPECT_EQ(subscribers().size(), issued);
    EXPECT_EQ(batches(own["Other University"]), 1u);
    EXPECT_EQ(batches(own["Twin University"]), 1u);
    EXPECT_EQ(batches(f.operator_client()), 0u);
}

TEST_F(IntegrityInstitution, SkipModeStoresOwnRowsOnly) {
    add_institution("Other University", "other.ac.jp", "Other University", true, "Osaka",
                    "Suita-shi");
    auto answer =
        upload(tsv({{dn_a("mine.example.ac.jp")},
                    {"CN=theirs.other.ac.jp,O=Other University,L=Suita-shi,ST=Osaka,C=JP"}}),
               "skip", 201);
    ASSERT_EQ(answer["rows"].size(), 1u) << answer.dump();
    EXPECT_EQ(answer["rows"][0]["subject"], dn_a("mine.example.ac.jp"));
    EXPECT_EQ(finding_on(answer, 2)["code"], "institution_mismatch");
    EXPECT_EQ(batches(f.operator_client()), 1u);
}

// ---------------------------------------------------------------------------
// 2. S/MIME: the certificate's mailbox (column 14) must be in an approved domain.

TEST_F(IntegritySmime, MailboxDomainIsCheckedPerRowAndNamedInTheCertificate) {
    auto answer = upload(
        tsv({
            {dn_a("Smime User One", "1"), 7, 1, "admin@example.ac.jp", "user1@example.ac.jp"},
            {dn_a("Smime User Two", "2"), 7, 1, "admin@example.ac.jp", "user2@evil.example.com"},
            {dn_a("Smime User Three", "3"), 7, 1, "admin@example.ac.jp", "user3@example.co.jp"},
            {dn_a("Smime User Four", "4"), 7, 1, "admin@example.ac.jp", "user4@mail.example.ac.jp"},
            {dn_a("Smime User Five", "5"), 7, 1, "admin@example.ac.jp", "user5@notexample.ac.jp"},
            {dn_a("smime6.example.ac.jp"), 7, 1, "admin@example.ac.jp", "user6@evil.example.com"},
            {dn_a("Smime User Seven", "7"), 7, 1, "admin@example.ac.jp", ""},
        }),
        "skip", 201);
    ASSERT_EQ(answer["rows"].size(), 2u) << answer.dump();
    EXPECT_EQ(answer["rows"][0]["line"], 1);
    EXPECT_EQ(answer["rows"][1]["line"], 4);  // a subdomain of the approved domain
    ASSERT_EQ(answer["report"]["rejected"].size(), 5u) << answer.dump();
    for (int line : {2, 3, 5, 6}) {
        SCOPED_TRACE(line);
        auto finding = finding_on(answer, line);
        EXPECT_EQ(finding["code"], "domain_not_approved");
        EXPECT_EQ(finding["column"], 14);
    }
    // An individual row must name the user's mailbox (column 14) anyway.
    EXPECT_EQ(finding_on(answer, 7)["code"], "field_required");
    EXPECT_EQ(finding_on(answer, 7)["column"], 14);

    auto row = answer["rows"][0];
    auto p = pin(row["pin_url"]);
    auto r = f.public_client().post(path_of(row["retrieval_url"]), json{{"pin", p}}.dump(),
                                    "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    auto pem = p12_certificate("smime", r.body, p);
    auto san = test::run("openssl x509 -in " + pem + " -noout -ext subjectAltName");
    ASSERT_EQ(san.exit_code, 0) << san.output;
    EXPECT_NE(san.output.find("email:user1@example.ac.jp\n"), std::string::npos) << san.output;
    EXPECT_EQ(san.output.find("email:"), san.output.rfind("email:"))
        << "one mailbox only: " << san.output;
    EXPECT_EQ(san.output.find("admin@"), std::string::npos) << san.output;
}

TEST_F(IntegritySmime, BulkRowNeedsTheUserMailbox) {
    auto answer = upload(
        tsv({
            {dn_a("Bulk User One", "1"), 7, 2, "admin@example.ac.jp", ""},
            {dn_a("Bulk User Two", "2"), 7, 2, "admin@example.ac.jp", "user2@example.ac.jp", "two"},
            {dn_a("bulk3.example.ac.jp"), 5, 2, "admin@example.ac.jp", ""},  // not S/MIME
            {dn_a("Bulk User Four", "4"), 15, 2, "admin@example.ac.jp", ""},
        }),
        "skip", 201);
    ASSERT_EQ(answer["rows"].size(), 2u) << answer.dump();
    EXPECT_EQ(answer["rows"][0]["line"], 2);
    EXPECT_EQ(answer["rows"][1]["line"], 3);
    for (int line : {1, 4}) {
        SCOPED_TRACE(line);
        EXPECT_EQ(finding_on(answer, line)["code"], "smime_mail_missing");
        EXPECT_EQ(finding_on(answer, line)["service_code"], 314);
        EXPECT_EQ(finding_on(answer, line)["column"], 14);
    }
    auto page = f.public_client().post(path_of(answer["pin_url"]), "");
    ASSERT_EQ(page.status, 200) << page.body;
    std::string two_pin;
    const json pins = json::parse(page.body);
    for (const auto& e : pins["entries"])
        if (e["subject"] == dn_a("Bulk User Two", "2")) two_pin = e["pin"].get<std::string>();
    ASSERT_FALSE(two_pin.empty()) << page.body;
    auto zip = test::fetch_bulk_zip(f.public_client(), path_of(answer["retrieval_url"]));
    ASSERT_EQ(zip.status, 200) << zip.body.substr(0, 500);
    test::write_file(work / "bulk.zip", zip.body);
    sh_ok("cd " + work.path().string() + " && mkdir x && cd x && unzip -q ../bulk.zip");
    auto pem = p12_certificate("two", test::read_file(work / "x" / "two.p12"), two_pin);
    auto san = test::run("openssl x509 -in " + pem + " -noout -ext subjectAltName");
    ASSERT_EQ(san.exit_code, 0) << san.output;
    EXPECT_NE(san.output.find("email:user2@example.ac.jp\n"), std::string::npos) << san.output;
}

// The mailbox rule as policy applies it: column 14, else column 10. Over HTTPS
// the fallback cannot be reached (column 14 is required for individual and
// browser rows, and a bulk row without it is smime_mail_missing); a row built in
// code shows that column 10 is then the mailbox and its domain is checked.
TEST_F(IntegritySmime, WithoutColumn14TheAdminMailboxIsCheckedInColumn10) {
    policy::IssueRow row;
    row.line = 1;
    row.dn = *policy::parse_subject_dn(dn_a("smime-admin.example.ac.jp"), 1)
                  .dn;  // CN approved: only the mailbox fails
    row.profile_id = 7;
    row.admin_mail = "admin@evil.example.com";
    EXPECT_EQ(policy::certificate_mail(row), "admin@evil.example.com");
    auto context = f.services().policy->context();
    std::vector<policy::Finding> findings;
    EXPECT_FALSE(policy::check_institution_rules(
        row, {context.registry, context.whois, context.clock, kA}, findings));
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, "domain_not_approved");
    EXPECT_EQ(findings[0].column, 10u);
}

// ---------------------------------------------------------------------------
// 3. One DN, one claim: a pending row, an in-flight issuance or a valid certificate.

TEST_F(IntegrityDuplicateDn, ASecondUploadOrCsrOfAPendingDnIsRefused) {
    const std::string dn = dn_a("dup.example.ac.jp", "1");
    const std::string subj =
        "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/OU=1/CN=dup.example.ac.jp";
    const std::string claimed =
        error_message("dn_duplicate", 1, "a valid certificate or a pending request has this DN");
    auto first = upload(tsv({{dn}}), "abort", 201);
    ASSERT_EQ(first["rows"].size(), 1u);

    auto second = upload(tsv({{dn}}), "abort", 422);
    EXPECT_EQ(finding_on(second, 1)["code"], "dn_duplicate");
    EXPECT_EQ(finding_on(second, 1)["service_code"], 212);
    auto mixed = upload(tsv({{dn_a("fresh.example.ac.jp")}, {dn}}), "skip", 201);
    ASSERT_EQ(mixed["rows"].size(), 1u);
    EXPECT_EQ(mixed["rows"][0]["line"], 1);
    EXPECT_EQ(finding_on(mixed, 2)["code"], "dn_duplicate");
    auto by_csr = f.operator_client().post("/api/v1/certificates", csr("pending", subj));
    EXPECT_EQ(by_csr.status, 409) << by_csr.body;
    EXPECT_EQ(problem_of(by_csr).value("code", ""), "dn_duplicate");
    EXPECT_EQ(problem_of(by_csr).value("message", ""), claimed);
    EXPECT_EQ(batches(f.operator_client()), 2u);
    EXPECT_EQ(subscribers().size(), 0u);

    // Downloaded: now the valid certificate holds the DN.
    auto row = first["rows"][0];
    auto p = pin(row["pin_url"]);
    ASSERT_EQ(f.public_client()
                  .post(path_of(row["retrieval_url"]), json{{"pin", p}}.dump(), "application/json")
                  .status,
              200);
    EXPECT_EQ(valid_with_subject(dn), 1u);
    EXPECT_EQ(finding_on(upload(tsv({{dn}}), "abort", 422), 1)["code"], "dn_duplicate");
    by_csr = f.operator_client().post("/api/v1/certificates", csr("valid", subj));
    EXPECT_EQ(by_csr.status, 409) << by_csr.body;
    EXPECT_EQ(problem_of(by_csr).value("code", ""), "dn_duplicate");
    EXPECT_EQ(valid_with_subject(dn), 1u);
    EXPECT_EQ(subscribers().size(), 1u);
}

// A DN held by a pending request (no certificate yet) is reported as such, with
// the message the store's own check (a concurrent upload, a CSR) gives.
TEST_F(IntegrityDuplicateDn, PendingDuplicateIsNotReportedAsAValidCertificate) {
    const std::string dn = dn_a("dup.example.ac.jp");
    upload(tsv({{dn}}), "abort", 201);
    auto finding = finding_on(upload(tsv({{dn}}), "abort", 422), 1);
    ASSERT_EQ(finding["code"], "dn_duplicate");
    EXPECT_EQ(valid_with_subject(dn), 0u);
    EXPECT_EQ(
        finding["message_en"].get<std::string>() + " / " + finding["message_ja"].get<std::string>(),
        error_message("dn_duplicate", 1, "a valid certificate or a pending request has this DN"));
}

TEST_F(IntegrityDuplicateDn, OfEightConcurrentUploadsOfOneDnExactlyOneIsAccepted) {
    const std::string dn = dn_a("race.example.ac.jp");
    auto winner = race_uploads({{dn}});
    ASSERT_EQ(winner["rows"].size(), 1u);
    auto row = winner["rows"][0];
    auto p = pin(row["pin_url"]);
    auto r = f.public_client().post(path_of(row["retrieval_url"]), json{{"pin", p}}.dump(),
                                    "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(valid_with_subject(dn), 1u);
    EXPECT_EQ(subscribers().size(), 1u);
}

// 400 rows: the uploads spend long between the check and the storing
// transaction, so most of them pass the check and only the transaction stops them.
TEST_F(IntegrityDuplicateDn, OfEightConcurrentUploadsOfALargerFileExactlyOneIsStored) {
    std::vector<Row> rows;
    for (int i = 0; i < 400; ++i)
        rows.push_back({dn_a("race" + std::to_string(i) + ".example.ac.jp")});
    auto winner = race_uploads(rows);
    EXPECT_EQ(winner["rows"].size(), rows.size());
}

TEST_F(IntegrityDuplicateDn, OfEightConcurrentCsrsOfOneSubjectExactlyOneIsIssued) {
    const std::string subj =
        "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/CN=csr-race.example.ac.jp";
    constexpr int kThreads = 8;
    std::vector<std::string> csrs;
    for (int i = 0; i < kThreads; ++i)
        csrs.push_back(csr("race" + std::to_string(i), subj));  // one key each
    auto client = f.operator_client();
    auto answers = concurrently(kThreads, [&](int i) {
        return client.post("/api/v1/certificates", csrs[static_cast<size_t>(i)]);
    });
    int issued = 0;
    for (const auto& a : answers) {
        if (a.status == 201) {
            ++issued;
            continue;
        }
        EXPECT_EQ(a.status, 409) << a.error << a.body;
        if (a.status == 409) {
            EXPECT_EQ(problem_of(a).value("code", ""), "dn_duplicate");
        }
    }
    EXPECT_EQ(issued, 1);
    EXPECT_EQ(valid_with_subject(dn_a("csr-race.example.ac.jp")), 1u);
    EXPECT_EQ(subscribers().size(), 1u);
}

// ---------------------------------------------------------------------------
// 4. The upload's rules again at download, before anything is made or signed.

TEST_F(IntegrityDownloadRecheck, ApprovalExpiredSinceTheUploadThenRenewed) {
    auto p = prepare(f.operator_client());
    auto& registry = f.services().policy->registry();
    registry.approve_domain(kA, {"example.ac.jp", *policy::parse_date("2020-01-01")});

    auto messages = upload_messages("approval_expired");
    EXPECT_EQ(messages[0],
              error_message("approval_expired", 1, "ind.example.ac.jp approval ended 2020-01-01"));
    expect_refused(download_all(p), 403, "approval_expired", messages);
    EXPECT_EQ(valid_subscribers(), 0u);
    expect_still_waiting(p);

    registry.approve_domain(kA, {"example.ac.jp", *policy::parse_date("2099-12-31")});
    expect_delivered(download_all(p));
}

TEST_F(IntegrityDownloadRecheck, WhoisAnswerChangedSinceTheUploadThenRestored) {
    auto p = prepare(f.operator_client());
    f.whois().answer(
        "example.ac.jp",
        "Domain Name: EXAMPLE.AC.JP\r\nRegistrant Organization: Someone Else Inc.\r\n");
    auto messages = upload_messages("whois_mismatch");
    EXPECT_EQ(messages[0], error_message("whois_mismatch", 1, "example.ac.jp"));
    expect_refused(download_all(p), 403, "whois_mismatch", messages);

    f.whois().answer("example.ac.jp", "");  // no organisation in the answer
    messages = upload_messages("whois_connection_failed");
    expect_refused(download_all(p), 503, "whois_connection_failed", messages);
    EXPECT_EQ(valid_subscribers(), 0u);
    expect_still_waiting(p);

    f.whois().answer(
        "example.ac.jp",
        std::string("Domain Name: EXAMPLE.AC.JP\r\nRegistrant Organization: ") + kA + "\r\n");
    expect_delivered(download_all(p));
}

TEST_F(IntegrityDownloadRecheck, UploadingOperatorRevokedSinceTheUpload) {
    auto uploader = f.add_operator("uploader", kA);
    auto p = prepare(f.client_for(uploader));
    auto record = f.services().operators->find_by_name("uploader");
    ASSERT_TRUE(record);
    // What `inkan operator revoke --name uploader` does.
    f.services().certificates->revoke(record->certificate_serial, 1, std::nullopt,
                                      store::unix_now());

    // The operator's own upload is refused with the code its rows now get.
    auto own = f.client_for(uploader).post("/api/v1/requests?action=issue",
                                           tsv({{dn_a("new.example.ac.jp")}}));
    EXPECT_EQ(own.status, 403);
    EXPECT_EQ(problem_of(own).value("code", ""), "operator_revoked");
    auto answers = download_all(p);
    expect_refused(answers, 403, "operator_revoked", {});
    for (const auto& a : answers) {
        auto message = problem_of(a).value("message", "");
        EXPECT_NE(message.find("(uploader) has been revoked"), std::string::npos) << message;
        EXPECT_NE(message.find(" / 申請したRA担当者の証明書は失効しています。"), std::string::npos)
            << message;
    }
    EXPECT_EQ(valid_subscribers(), 0u);
    expect_still_waiting(p);  // seen by another operator of the institution
}

// The refusal tells the subscriber to have the request submitted again; another
// operator of the institution must be able to do that for the same DN.
TEST_F(IntegrityDownloadRecheck, RowOfARevokedOperatorCanBeSubmittedAgain) {
    auto uploader = f.add_operator("uploader", kA);
    auto p = prepare(f.client_for(uploader));
    auto record = f.services().operators->find_by_name("uploader");
    f.services().certificates->revoke(record->certificate_serial, 1, std::nullopt,
                                      store::unix_now());
    auto refused = download_all(p);
    expect_refused(refused, 403, "operator_revoked", {});
    auto again = upload(tsv({{dn_a(cns_[0], "1"), 5, 1}}), "abort", 201);
    if (again["status"] != "accepted") ADD_FAILURE() << finding_on(again, 1).dump();
}

// ---------------------------------------------------------------------------
// 5. A CSR's subject: only single-valued CN, OU, O, L, ST, C; normalised and rebuilt.

TEST_F(IntegrityCsrSubject, SubjectsOutsideTheRowFormAreRefused) {
    const std::string base = "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University";
    struct Case {
        std::string what, subject, code, detail;  // the message is error_message(code, 1, detail)
    };
    const std::vector<Case> cases = {
        {"DC", base + "/DC=example/CN=dc.example.ac.jp", "dn_attribute_unsupported", "DC"},
        {"UID", base + "/UID=u1/CN=uid.example.ac.jp", "dn_attribute_unsupported", "UID"},
        {"serialNumber", base + "/serialNumber=1234/CN=sn.example.ac.jp",
         "dn_attribute_unsupported", "serialNumber"},
        {"emailAddress", base + "/CN=em.example.ac.jp/emailAddress=u@example.ac.jp",
         "dn_attribute_unsupported", "emailAddress"},
        {"CN twice", base + "/CN=a.example.ac.jp/CN=b.example.ac.jp", "dn_attribute_repeated",
         "CN"},
        {"O twice", base + "/O=Example University/CN=o.example.ac.jp", "dn_attribute_repeated",
         "O"},
        {"C twice", "/C=JP" + base + "/CN=c.example.ac.jp", "dn_attribute_repeated", "C"},
        {"multi-valued RDN", base + "/CN=a.example.ac.jp+OU=x", "dn_multivalued_rdn",
         "2 attributes in one RDN"},
        {"CN reading as ',OU='", base + "/CN=a.example.ac.jp\\,OU=b", "dn_ambiguous", "in CN"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        auto r = f.operator_client().post("/api/v1/certificates", csr("bad", c.subject));
        EXPECT_EQ(r.status, 400) << r.body;
        auto problem = problem_of(r);
        EXPECT_EQ(problem.value("code", ""), c.code) << r.body;
        EXPECT_EQ(problem.value("message", ""), error_message(c.code, 1, c.detail));
    }
    // A CN that reads as a second O in the row form ("x,O=Other University"):
    // refused, as ambiguous or (the row form parsing first) as out of order.
    auto r = f.operator_client().post(
        "/api/v1/certificates", csr("bad", base + "/CN=x.example.ac.jp\\,O=Other University"));
    EXPECT_EQ(r.status, 400) << r.body;
    auto code = problem_of(r).value("code", "");
    EXPECT_TRUE(code == "dn_ambiguous" || code == "dn_order") << r.body;
    EXPECT_EQ(subscribers().size(), 0u);
}

// policy/subject_dn.h names this very value as its dn_ambiguous example; the
// subscriber's CSR is in order, so "not in the order CN, OU, O..." misleads.
TEST_F(IntegrityCsrSubject, ValueReadingAsASecondOIsReportedAsAmbiguous) {
    auto r = f.operator_client().post("/api/v1/certificates",
                                      csr("o",
                                          "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example "
                                          "University/CN=x.example.ac.jp\\,O=Other University"));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(problem_of(r).value("code", ""), "dn_ambiguous") << r.body;
    EXPECT_EQ(subscribers().size(), 0u);
}

TEST_F(IntegrityCsrSubject, IssuedSubjectIsTheCheckedDnInRowOrder) {
    const std::string tail = ",O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP";
    struct Case {
        std::string what, subject, expected;
    };
    const std::vector<Case> cases = {
        {"reverse RDN order",
         "/CN=rev.example.ac.jp/O=Example University/L=Chiyoda-ku/ST=Tokyo/C=JP",
         "CN=rev.example.ac.jp" + tail},
        {"without O and C", "/ST=Tokyo/L=Chiyoda-ku/CN=noo.example.ac.jp",
         "CN=noo.example.ac.jp" + tail},
        {"two OUs",
         "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/OU=Faculty/OU=Lab/CN=ou.example.ac.jp",
         "CN=ou.example.ac.jp,OU=Lab,OU=Faculty" + tail},
        {"two OUs, shuffled",
         "/OU=Faculty/C=JP/CN=mix.example.ac.jp/OU=Lab/ST=Tokyo/O=Example University/L=Chiyoda-ku",
         "CN=mix.example.ac.jp,OU=Lab,OU=Faculty" + tail},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        auto r = f.operator_client().post("/api/v1/certificates", csr("good", c.subject));
        ASSERT_EQ(r.status, 201) << r.body;
        auto issued = json::parse(r.body);
        EXPECT_EQ(issued["subject"], c.expected);
        auto pem = issued["certificate_pem"].get<std::string>();
        test::write_file(work / "issued.pem", pem);
        auto shown = test::run("openssl x509 -in " + (work / "issued.pem").string() +
                               " -noout -subject -nameopt RFC2253");
        EXPECT_EQ(shown.output, "subject=" + c.expected + "\n");
        auto x509 = pki::parse_certificate(as_bytes(pem));
        EXPECT_EQ(pki::name_to_request_form(X509_get_subject_name(x509.get())), c.expected);
        for (const auto& rdn : pki::name_rdns(X509_get_subject_name(x509.get())))
            EXPECT_EQ(rdn.size(), 1u);
        EXPECT_EQ(valid_with_subject(c.expected), 1u);
    }
    EXPECT_EQ(subscribers().size(), cases.size());
}
