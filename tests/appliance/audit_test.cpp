// The audit chain (issue 13, README "Audit trail"): a clean log verifies with
// `inkan audit verify`; a field edited with sqlite3, a deleted row, two swapped
// rows, a cut tail, a chain rewritten with fresh hashes and a forged checkpoint
// are each found, at the first bad record; an operation whose record cannot be
// written does not happen; refused PIN attempts name batch, row and client.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "appliance/audit_verify.h"
#include "store/sqlite_audit_store.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/appliance/inkan_process.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;
using test::path_of;

namespace {

class AuditChain : public ::testing::Test {
  protected:
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;

    // Some history: a CSR issuance, an upload, a PIN page, a wrong PIN, a download;
    // then a signed checkpoint over it all.
    void SetUp() override {
        auto key = (work / "u.key").string();
        auto csr = (work / "u.csr").string();
        test::sh_ok("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                    key + " -out " + csr +
                    " -subj '/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/CN=u.example.ac.jp'");
        ASSERT_EQ(f.operator_client().post("/api/v1/certificates", test::read_file(csr)).status,
                  201);
        auto upload =
            f.operator_client().post("/api/v1/requests?action=issue",
                                     test::row("row1.example.ac.jp"), "text/tab-separated-values");
        ASSERT_EQ(upload.status, 201) << upload.body;
        accepted = json::parse(upload.body);
        const auto& row = accepted["rows"][0];
        auto page = f.public_client().post(path_of(row["pin_url"]), "");
        ASSERT_EQ(page.status, 200) << page.body;
        std::string pin = json::parse(page.body)["entries"][0]["pin"];
        auto wrong =
            f.public_client().post(path_of(row["retrieval_url"]),
                                   json{{"pin", "WRONG-PIN-123"}}.dump(), "application/json");
        EXPECT_EQ(wrong.status, 403) << wrong.body;
        auto p12 = f.public_client().post(path_of(row["retrieval_url"]), json{{"pin", pin}}.dump(),
                                          "application/json");
        ASSERT_EQ(p12.status, 200) << p12.body;
        f.services().audit->checkpoint();
    }

    test::RunResult verify() { return run_inkan_at("audit verify"); }
    test::RunResult run_inkan_at(const std::string& args) {
        return test::run(test::inkan_binary() + " --state-dir " +
                         test::shell_quote(f.config().state_dir.string()) + " " + args);
    }
    void sql(const std::string& statement) {
        test::sh_ok("sqlite3 " + test::shell_quote(f.config().database_path().string()) + " " +
                    test::shell_quote(statement));
    }
    json accepted;
};

TEST_F(AuditChain, ACleanLogVerifies) {
    auto r = verify();
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("audit chain intact"), std::string::npos) << r.output;
    auto j = run_inkan_at("audit verify --json");
    ASSERT_EQ(j.exit_code, 0) << j.output;
    auto verdict = json::parse(j.output);
    EXPECT_TRUE(verdict["intact"].get<bool>());
    EXPECT_GE(verdict["records"].get<int>(), 10);
    EXPECT_EQ(verdict["unsigned_records"], 0) << "the checkpoint covers the head";
}

TEST_F(AuditChain, AnEditedFieldIsFound) {
    sql("UPDATE audit_records SET fields = json_set(fields, '$.edited', 1) WHERE seq = 3");
    auto r = verify();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("BROKEN at record 3: record 3 was edited"), std::string::npos)
        << r.output;
}

TEST_F(AuditChain, ADeletedRowIsFound) {
    sql("DELETE FROM audit_records WHERE seq = 4");
    auto r = verify();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("BROKEN at record 4: record 4 removed"), std::string::npos) << r.output;
}

TEST_F(AuditChain, TwoSwappedRowsAreFound) {
    // Rows 5 and 6 change places: each keeps its content and hashes, takes the other's number.
    sql("UPDATE audit_records SET seq = -5 WHERE seq = 5; "
        "UPDATE audit_records SET seq = 5 WHERE seq = 6; "
        "UPDATE audit_records SET seq = 6 WHERE seq = -5;");
    auto r = verify();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("BROKEN at record 5: record 5 does not follow record 4"),
              std::string::npos)
        << r.output;
}

TEST_F(AuditChain, ACutTailUnderACheckpointIsFound) {
    auto head = store::SqliteAuditStore(*f.services().database).head();
    ASSERT_TRUE(head);
    sql("DELETE FROM audit_records WHERE seq > 7");
    auto r = verify();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(
        r.output.find("BROKEN at record 8: records 8 to " + std::to_string(head->seq) + " removed"),
        std::string::npos)
        << r.output;
}

// Whoever can write the database can also recompute every hash after an edit;
// the checkpoint signed in the HSM is what still tells.
TEST_F(AuditChain, AChainRewrittenWithFreshHashesFailsItsSignedCheckpoint) {
    auto db_path = f.config().database_path().string();
    std::string script = R"(
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT seq, time, event, fields FROM audit_records ORDER BY seq").fetchall()
prev = "0" * 64
for seq, time, event, fields in rows:
    if seq == 2:
        fields = fields.replace("op1", "op9")
    enc = "inkan-audit-v1|%d|%s|%s|%s|%s" % (seq, time, event, prev, fields)
    h = hashlib.sha256(enc.encode()).hexdigest()
    db.execute("UPDATE audit_records SET fields=?, prev_hash=?, hash=? WHERE seq=?", (fields, prev, h, seq))
    prev = h
db.commit()
)";
    test::write_file(work / "rewrite.py", script);
    test::sh_ok("/usr/bin/python3 " + (work / "rewrite.py").string() + " " +
                test::shell_quote(db_path));
    auto r = verify();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("is not the one the signed checkpoint covers"), std::string::npos)
        << r.output;
}

TEST_F(AuditChain, AForgedCheckpointSignatureIsFound) {
    sql("UPDATE audit_checkpoints SET signature = X'3006020101020101'");
    auto r = verify();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("does not verify with the audit key"), std::string::npos) << r.output;
}

// Dogtag's rule: with the audit store failing (a trigger refuses every insert),
// a CSR is not signed and a PIN page is not consumed; both work once it is back.
TEST_F(AuditChain, AnOperationWhoseRecordCannotBeWrittenDoesNotHappen) {
    auto second =
        f.operator_client().post("/api/v1/requests?action=issue", test::row("row2.example.ac.jp"),
                                 "text/tab-separated-values");
    ASSERT_EQ(second.status, 201) << second.body;
    std::string pin_path = path_of(json::parse(second.body)["rows"][0]["pin_url"]);
    size_t certificates_before = f.services().certificates->list({}).size();
    sql("CREATE TRIGGER audit_fails BEFORE INSERT ON audit_records "
        "BEGIN SELECT RAISE(ABORT, 'audit store failing'); END;");
    auto key = (work / "v.key").string();
    auto csr = (work / "v.csr").string();
    test::sh_ok("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                key + " -out " + csr +
                " -subj '/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/CN=v.example.ac.jp'");
    auto refused = f.operator_client().post("/api/v1/certificates", test::read_file(csr));
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(json::parse(refused.body)["code"], "audit_unwritable");
    auto page = f.public_client().post(pin_path, "");
    EXPECT_EQ(page.status, 503) << page.body;
    EXPECT_EQ(f.services().certificates->list({}).size(), certificates_before);

    sql("DROP TRIGGER audit_fails");
    EXPECT_EQ(f.public_client().post(pin_path, "").status, 200) << "the PIN page was not used up";
    EXPECT_EQ(f.operator_client().post("/api/v1/certificates", test::read_file(csr)).status, 201);
    EXPECT_EQ(verify().exit_code, 0);
}

// A refused PIN attempt names its batch, row and client address (never the PIN).
TEST_F(AuditChain, ARefusedPinAttemptNamesBatchRowAndClient) {
    const std::string batch = accepted["batch_id"];
    bool found = false;
    store::SqliteAuditStore(*f.services().database).for_each_record([&](const auto& r) {
        auto fields = json::parse(r.fields);
        if (r.event == "p12_download" && fields.value("code", "") == "pin_incorrect") {
            found = true;
            EXPECT_EQ(fields.value("batch_id", ""), batch) << r.fields;
            EXPECT_EQ(fields.value("row", 0), 1) << r.fields;
            EXPECT_EQ(fields.value("client", ""), "127.0.0.1") << r.fields;
        }
        EXPECT_EQ(r.fields.find("WRONG-PIN-123"), std::string::npos) << r.fields;
    });
    EXPECT_TRUE(found) << f.audit_text();
}

// Start and stop are recorded; the stop is covered by a signed checkpoint.
TEST_F(AuditChain, StartAndStopAreRecordedAndTheStopIsSigned) {
    EXPECT_NE(f.audit_text().find(R"("event":"appliance_started")"), std::string::npos);
    const_cast<appliance::ApplianceServer&>(f.server()).stop();
    store::SqliteAuditStore audit(*f.services().database);
    auto head = audit.head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->event, "appliance_stopped");
    auto cp = audit.last_checkpoint();
    ASSERT_TRUE(cp);
    EXPECT_EQ(cp->seq, head->seq);
    EXPECT_TRUE(appliance::checkpoint_signature_valid(*cp, f.services().audit_key->public_key()));
}

// Every checkpoint_interval records a checkpoint is signed without being asked.
TEST_F(AuditChain, ACheckpointEveryIntervalRecords) {
    appliance::AuditLog log(*f.services().database, f.services().audit_key.get(), 3);
    store::SqliteAuditStore audit(*f.services().database);
    int64_t start = audit.head()->seq;
    for (int i = 0; i < 7; ++i) log.record("test_event", {{"i", i}});
    int64_t signed_since = 0;
    for (const auto& cp : audit.checkpoints()) {
        if (cp.seq > start) ++signed_since;
    }
    EXPECT_EQ(signed_since, 2) << "records 3 and 6 of the 7 since the last checkpoint";
    EXPECT_EQ(verify().exit_code, 0);
}

}  // namespace
