// Issue 8 point 6: the operators' certificate look-up, GET /api/v1/certificates,
// over real HTTPS on loopback with certificates issued through the appliance
// (CSRs and a request file) for two institutions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>

#include "pki/serial.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;

namespace {

using test::path_of;
using test::sh_ok;
using test::subject_of;

const std::string kOther = "Other University";

// Percent-encodes a query value (everything but unreserved characters).
std::string q(const std::string& value) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// One issue row (15 columns); dl 1 P12 individual, 2 P12 bulk (where column 14,
// the user mail, may be empty).
std::string issue_row(const std::string& cn, const std::string& user_mail, int dl,
                      int profile = 5) {
    std::vector<std::string> f = {subject_of(cn),
                                  std::to_string(profile),
                                  std::to_string(dl),
                                  "",
                                  "",
                                  "",
                                  "",
                                  "Admin Taro",
                                  "IT Center",
                                  "admin@example.ac.jp",
                                  "User",
                                  cn.substr(0, cn.find('.')),
                                  "Engineering",
                                  user_mail,
                                  ""};
    std::string line;
    for (size_t k = 0; k < f.size(); ++k) line += (k ? "\t" : "") + f[k];
    return line + "\r\n";
}

std::vector<std::string> serials_of(const json& page) {
    std::vector<std::string> out;
    for (const auto& c : page["certificates"]) out.push_back(c["serial"].get<std::string>());
    return out;
}

class CertificateLookup : public ::testing::Test {
  protected:
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;
    test::ClientCredential other_op;
    // Serials (decimal) in the order they were issued.
    std::vector<std::string> issued_a;  // Example University: a1, a2 by CSR, then the file's rows
    std::vector<std::string> issued_b;  // Other University: b1 by CSR
    std::string batch_id;

    void SetUp() override {
        f.add_institution(kOther, "other.ac.jp");
        other_op = f.add_operator("other-op", kOther);
        issued_a.push_back(issue_csr(f.operator_client(), "a1", subject_of("a1.example.ac.jp")));
        issued_a.push_back(issue_csr(
            f.operator_client(), "a2",
            "CN=a2.example.ac.jp,OU=Lab,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"));
        issued_b.push_back(
            issue_csr(f.client_for(other_op), "b1", subject_of("b1.other.ac.jp", kOther)));
        issue_from_file();
    }

    std::string issue_csr(const test::HttpsClient& client, const std::string& name,
                          const std::string& subject) {
        std::string slash = "/" + std::regex_replace(subject, std::regex(","), "/");
        auto key = (work / (name + ".key")).string();
        auto csr = (work / (name + ".csr")).string();
        auto r = test::run(
            "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + key +
            " -out " + csr + " -subj " + test::shell_quote(slash));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        auto issued = client.post("/api/v1/certificates", test::read_file(csr));
        EXPECT_EQ(issued.status, 201) << issued.body;
        return issued.status == 201 ? json::parse(issued.body)["serial"].get<std::string>() : "";
    }

    // Two P12-individual rows with the users' mail, then a P12-bulk row without
    // one (the admin's mail stands in).
    void issue_from_file() {
        auto accepted = upload(issue_row("r1.example.ac.jp", "user1@example.ac.jp", 1) +
                               issue_row("r2.example.ac.jp", "user2@example.ac.jp", 1));
        batch_id = accepted.value("batch_id", "");
        // One download after the other, so the certificates are issued in row order.
        for (const auto& row : accepted["rows"]) {
            auto page = f.public_client().post(path_of(row["pin_url"]), "");
            ASSERT_EQ(page.status, 200) << page.body;
            std::string pin = json::parse(page.body)["entries"][0]["pin"];
            auto p12 = f.public_client().post(path_of(row["retrieval_url"]),
                                              json{{"pin", pin}}.dump(), "application/json");
            ASSERT_EQ(p12.status, 200) << p12.body;
        }
        auto bulk = upload(issue_row("r3.example.ac.jp", "", 2));
        ASSERT_EQ(f.public_client().post(path_of(bulk["pin_url"]), "").status, 200);
        ASSERT_EQ(test::fetch_bulk_zip(f.public_client(), path_of(bulk["retrieval_url"])).status,
                  200);
        for (const auto& id : {batch_id, bulk.value("batch_id", "")}) {
            auto state = json::parse(f.operator_client().get("/api/v1/requests/" + id).body);
            for (const auto& row : state["rows"])
                issued_a.push_back(row["serial"].get<std::string>());
        }
    }

    json upload(const std::string& file) {
        auto r = f.operator_client().post("/api/v1/requests?action=issue", file,
                                          "text/tab-separated-values");
        EXPECT_EQ(r.status, 201) << r.body.substr(0, 2000);
        return r.status == 201 ? json::parse(r.body) : json::object({{"rows", json::array()}});
    }

    json list(const test::HttpsClient& client, const std::string& query = "") {
        auto r = client.get("/api/v1/certificates" + (query.empty() ? "" : "?" + query));
        EXPECT_EQ(r.status, 200) << query << ": " << r.body;
        return r.status == 200 ? json::parse(r.body) : json();
    }
    json list(const std::string& query = "") { return list(f.operator_client(), query); }

    std::string hex_of(const std::string& dec) {
        return pki::serial_to_hex(pki::serial_from_decimal(dec));
    }
};

}  // namespace

TEST_F(CertificateLookup, OperatorsSeeTheirInstitutionNewestFirstAndAServiceAdminSeesAll) {
    ASSERT_EQ(issued_a.size(), 5u);
    std::vector<std::string> newest_first(issued_a.rbegin(), issued_a.rend());
    auto mine = list();
    EXPECT_EQ(serials_of(mine), newest_first);
    EXPECT_EQ(mine["total"], 5);
    for (const auto& c : mine["certificates"]) EXPECT_EQ(c["institution"], "Example University");

    auto theirs = list(f.client_for(other_op));
    EXPECT_EQ(serials_of(theirs), issued_b);
    EXPECT_EQ(theirs["total"], 1);

    // A service admin sees every institution's subscriber certificates and no
    // operator or TLS certificate (several of each are in the store).
    auto admin = f.add_operator("admin", "Service Desk", store::OperatorRole::ServiceAdmin);
    auto all = list(f.client_for(admin));
    EXPECT_EQ(all["total"], 6);
    auto seen = serials_of(all);
    std::vector<std::string> expected = issued_a;
    expected.insert(expected.end(), issued_b.begin(), issued_b.end());
    std::sort(seen.begin(), seen.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(seen, expected);
    EXPECT_GT(f.services().certificates->list({}).size(), 6u + 3u);  // + op1, other-op, admin, TLS
}

TEST_F(CertificateLookup, EachCertificateCarriesSerialsStatusProfileAndItsRequestRow) {
    auto page = list("serial=" + issued_a[2]);
    ASSERT_EQ(page["certificates"].size(), 1u);
    auto c = page["certificates"][0];
    EXPECT_EQ(c["serial"], issued_a[2]);
    EXPECT_EQ(c["serial_hex"], f.services().certificates->find_by_decimal(issued_a[2])->serial_hex);
    EXPECT_EQ(c["subject"], subject_of("r1.example.ac.jp"));
    EXPECT_EQ(c["status"], "valid");
    EXPECT_EQ(c["profile_id"], 5);
    EXPECT_EQ(c["requested_by"], "op1");
    EXPECT_EQ(c["batch_id"], batch_id);
    EXPECT_EQ(c["row_id"], 1);
    EXPECT_EQ(c["delivery"], "delivered");
    EXPECT_EQ(c["mail"], "user1@example.ac.jp");
    EXPECT_GT(c["not_after"].get<int64_t>(), c["not_before"].get<int64_t>());
    EXPECT_FALSE(c.contains("revoked_at"));
    EXPECT_FALSE(c.contains("certificate_pem"));  // GET /api/v1/certificates/{serial} has it

    auto direct = list("serial=" + issued_a[0])["certificates"][0];  // from a CSR: no row
    EXPECT_FALSE(direct.contains("batch_id"));
    EXPECT_FALSE(direct.contains("mail"));
}

TEST_F(CertificateLookup, FiltersBySubjectMailAndSerial) {
    // Subject: exact request-form DN, or a substring.
    auto a2 = "CN=a2.example.ac.jp,OU=Lab,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP";
    EXPECT_EQ(serials_of(list("subject=" + q(a2))), std::vector<std::string>{issued_a[1]});
    EXPECT_EQ(list("subject=" + q("CN=a2.example.ac.jp"))["total"], 0);  // exact, not a prefix
    EXPECT_EQ(serials_of(list("subject_contains=" + q("a2.example"))),
              std::vector<std::string>{issued_a[1]});
    EXPECT_EQ(list("subject_contains=" + q("OU=Lab,"))["total"], 1);
    EXPECT_EQ(list("subject_contains=" + q("CN=r"))["total"], 3);  // r1, r2, r3
    // Another institution's subject is not found, not even exactly.
    EXPECT_EQ(list("subject=" + q(subject_of("b1.other.ac.jp", kOther)))["total"], 0);

    // Mail: the row's user mail, case-insensitive; else the row's admin mail.
    EXPECT_EQ(serials_of(list("mail=" + q("user2@example.ac.jp"))),
              std::vector<std::string>{issued_a[3]});
    EXPECT_EQ(serials_of(list("mail=" + q("USER2@Example.AC.JP"))),
              std::vector<std::string>{issued_a[3]});
    EXPECT_EQ(serials_of(list("mail=" + q("admin@example.ac.jp"))),
              std::vector<std::string>{issued_a[4]});
    EXPECT_EQ(list("mail=" + q("nobody@example.ac.jp"))["total"], 0);

    // Serial: decimal, or hex with 0x (either case); another institution's serial matches nothing.
    auto hex = hex_of(issued_a[1]);
    EXPECT_EQ(serials_of(list("serial=" + issued_a[1])), std::vector<std::string>{issued_a[1]});
    EXPECT_EQ(serials_of(list("serial=0x" + hex)), std::vector<std::string>{issued_a[1]});
    std::string lower = hex;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    EXPECT_EQ(serials_of(list("serial=0X" + lower)), std::vector<std::string>{issued_a[1]});
    EXPECT_EQ(list("serial=" + issued_b[0])["total"], 0);
    EXPECT_EQ(list(f.client_for(other_op), "serial=" + issued_b[0])["total"], 1);

    // Filters combine (AND).
    EXPECT_EQ(list("mail=" + q("user1@example.ac.jp") + "&serial=" + issued_a[3])["total"], 0);
    EXPECT_EQ(list("mail=" + q("user1@example.ac.jp") + "&serial=" + issued_a[2])["total"], 1);
}

TEST_F(CertificateLookup, StatusValidRevokedOrExpired) {
    // Revoke a2; store an expired certificate of the institution directly (the
    // appliance issues none with a past not_after).
    auto a2 = f.services().certificates->find_by_decimal(issued_a[1]);
    ASSERT_TRUE(a2);
    const int64_t when = store::unix_now() - 60;
    f.services().certificates->revoke(a2->serial_hex, 1, std::string("key lost"), when);
    store::CertificateRecord expired = *f.services().certificates->find_by_decimal(issued_a[0]);
    expired.serial_hex = "7e0102030405060708090a0b0c0d0e0f";
    expired.serial_dec = pki::serial_to_decimal(pki::serial_from_hex(expired.serial_hex));
    expired.subject = subject_of("old.example.ac.jp");
    expired.not_before = store::unix_now() - 400 * 86400;
    expired.not_after = store::unix_now() - 86400;
    expired.created_at = expired.not_before;
    f.services().certificates->reserve_serial(expired.serial_hex);
    f.services().certificates->insert(expired);

    auto revoked = list("status=revoked");
    ASSERT_EQ(serials_of(revoked), std::vector<std::string>{issued_a[1]});
    EXPECT_EQ(revoked["certificates"][0]["status"], "revoked");
    EXPECT_EQ(revoked["certificates"][0]["revoked_at"], when);
    EXPECT_EQ(revoked["certificates"][0]["revocation_reason"], 1);

    auto old = list("status=expired");
    ASSERT_EQ(serials_of(old), std::vector<std::string>{expired.serial_dec});
    EXPECT_EQ(old["certificates"][0]["status"], "expired");
    EXPECT_EQ(old["certificates"][0]["serial_hex"], expired.serial_hex);
    // The look-up by serial says so too, and gives the PEM the list leaves out.
    auto one = f.operator_client().get("/api/v1/certificates/" + expired.serial_dec);
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(json::parse(one.body)["status"], "expired");
    EXPECT_TRUE(json::parse(one.body).contains("certificate_pem"));

    auto valid = list("status=valid");
    EXPECT_EQ(valid["total"], 4);  // a1 and the three rows
    for (const auto& c : valid["certificates"]) {
        EXPECT_EQ(c["status"], "valid");
        EXPECT_NE(c["serial"], issued_a[1]);
        EXPECT_NE(c["serial"], expired.serial_dec);
    }
    // Without a status filter all six, each with its own status; the expired one
    // (created longest ago) comes last.
    auto all = list();
    EXPECT_EQ(all["total"], 6);
    EXPECT_EQ(all["certificates"][5]["serial"], expired.serial_dec);
    // The other institution's certificates keep their own counts.
    EXPECT_EQ(list(f.client_for(other_op), "status=revoked")["total"], 0);
    EXPECT_EQ(list(f.client_for(other_op), "status=valid")["total"], 1);
}

TEST_F(CertificateLookup, PaginationBoundaries) {
    std::vector<std::string> newest_first(issued_a.rbegin(), issued_a.rend());
    auto first = list("limit=2");
    EXPECT_EQ(first["total"], 5);
    EXPECT_EQ(first["limit"], 2);
    EXPECT_EQ(first["offset"], 0);
    EXPECT_EQ(first["next_offset"], 2);
    // Walking next_offset visits every certificate once, in order.
    std::vector<std::string> walked = serials_of(first);
    json page = first;
    int pages = 1;
    while (!page["next_offset"].is_null() && pages < 10) {
        page = list("limit=2&offset=" + std::to_string(page["next_offset"].get<size_t>()));
        auto s = serials_of(page);
        walked.insert(walked.end(), s.begin(), s.end());
        ++pages;
    }
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(walked, newest_first);

    auto last = list("limit=2&offset=4");
    EXPECT_EQ(serials_of(last), std::vector<std::string>{issued_a[0]});
    EXPECT_TRUE(last["next_offset"].is_null());
    auto exact = list("limit=5");
    EXPECT_EQ(exact["certificates"].size(), 5u);
    EXPECT_TRUE(exact["next_offset"].is_null());
    auto past = list("offset=5");
    EXPECT_EQ(past["certificates"].size(), 0u);
    EXPECT_EQ(past["total"], 5);
    EXPECT_EQ(list("offset=1000000")["certificates"].size(), 0u);
    EXPECT_EQ(list("limit=1")["certificates"].size(), 1u);
    EXPECT_EQ(list("limit=1000")["certificates"].size(), 5u);
}

TEST_F(CertificateLookup, BadParametersGet400WithAClearMessageAndAreAudited) {
    struct Case {
        std::string query;
        std::string code;
    };
    std::vector<Case> cases = {
        {"serial=12ab", "bad_serial"},         {"serial=0xZZ", "bad_serial"},
        {"serial=-5", "bad_serial"},           {"status=active", "status_invalid"},
        {"limit=1001", "limit_invalid"},       {"limit=0", "limit_invalid"},
        {"offset=x", "offset_invalid"},        {"kind=operator", "query_parameter_unknown"},
        {"subject=", "query_parameter_empty"},
    };
    for (const auto& c : cases) {
        auto r = f.operator_client().get("/api/v1/certificates?" + c.query);
        EXPECT_EQ(r.status, 400) << c.query << ": " << r.body;
        if (r.status != 400) continue;
        auto body = json::parse(r.body);
        EXPECT_EQ(body["code"], c.code) << c.query;
        EXPECT_EQ(body["category"], "invalid_input");
        EXPECT_FALSE(body["message"].get<std::string>().empty());
    }
    // The audit trail has the look-ups, with the filters and the count.
    list("mail=" + q("user1@example.ac.jp"));
    auto audit = f.audit_text();
    EXPECT_NE(audit.find(R"("event":"certificate_lookup")"), std::string::npos) << audit;
    EXPECT_NE(audit.find(R"("mail":"user1@example.ac.jp")"), std::string::npos) << audit;
    EXPECT_NE(audit.find(R"("code":"bad_serial")"), std::string::npos) << audit;
}

TEST_F(CertificateLookup, AnSmimeCertificateIsFoundByTheMailboxItNames) {
    auto bulk = upload(issue_row("s1.example.ac.jp", "Smime1@example.ac.jp", 2, 7));
    ASSERT_EQ(f.public_client().post(path_of(bulk["pin_url"]), "").status, 200);
    ASSERT_EQ(test::fetch_bulk_zip(f.public_client(), path_of(bulk["retrieval_url"])).status, 200);
    auto found = list("mail=" + q("smime1@example.ac.jp"));
    ASSERT_EQ(found["total"], 1);
    std::string serial = found["certificates"][0]["serial"];
    EXPECT_EQ(found["certificates"][0]["profile_id"], 7);
    auto pem = f.operator_client().get("/api/v1/certificates/" + serial + "?format=pem");
    ASSERT_EQ(pem.status, 200);
    test::write_file(work / "smime.pem", pem.body);
    auto san =
        test::run("openssl x509 -noout -ext subjectAltName -in " + (work / "smime.pem").string());
    EXPECT_NE(san.output.find("email:Smime1@example.ac.jp"), std::string::npos) << san.output;
}
