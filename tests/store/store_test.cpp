#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "common/error.h"
#include "store/database.h"
#include "store/sqlite.h"
#include "store/sqlite_batch_store.h"
#include "store/sqlite_certificate_store.h"
#include "store/sqlite_crl_store.h"
#include "store/sqlite_operator_store.h"
#include "tests/support/temp_dir.h"

using namespace inkan;
using namespace inkan::store;

namespace {

CertificateRecord sample(const std::string& serial, const std::string& subject) {
    CertificateRecord r;
    r.serial_hex = serial;
    r.serial_dec = "dec" + serial;
    r.subject = subject;
    r.issuer = "CN=Test CA";
    r.not_before = 1000;
    r.not_after = unix_now() + 3600;
    r.kind = CertificateKind::Subscriber;
    r.institution = "Example University";
    r.requested_by = "op1";
    r.der = {0x30, 0x03, 0x02, 0x01, 0x01};
    return r;
}

// Stores the operator certificate `serial` ("CN=op") and returns alice's record naming it.
OperatorRecord store_operator_certificate(SqliteCertificateStore& certs,
                                          const std::string& serial) {
    certs.reserve_serial(serial);
    auto cert = sample(serial, "CN=op");
    cert.kind = CertificateKind::Operator;
    certs.insert(cert);
    return {0,      "alice", "Example University", "a@example.ac.jp", OperatorRole::RaOperator,
            serial, 0};
}

}  // namespace

TEST(StoreDatabase, MigratesToLatestAndReopens) {
    test::TempDir dir;
    auto path = (dir / "inkan.db").string();
    {
        Database db(path);
        EXPECT_EQ(db.schema_version(), Database::latest_schema_version());
        SqliteCertificateStore certs(db);
        certs.reserve_serial("0a");
        certs.insert(sample("0a", "CN=a"));
    }
    Database again(path);
    SqliteCertificateStore certs(again);
    auto found = certs.find("0a");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->subject, "CN=a");
    EXPECT_EQ(found->der, (Bytes{0x30, 0x03, 0x02, 0x01, 0x01}));
}

namespace {

uintmax_t wal_size(const std::string& db_path) {
    return std::filesystem::file_size(db_path + "-wal");
}

void write_pages(Database& db, int rows) {
    db.with([&](Connection& c) {
        for (int i = 0; i < rows; ++i) {
            Statement s(c, "INSERT INTO wal_filler (b) VALUES (?)");
            s.bind(1, ByteView(Bytes(4000, static_cast<uint8_t>(i)))).run();
        }
    });
}

}  // namespace

// inkan serve takes the WAL checkpoints off the request path: commits no
// longer checkpoint (the WAL grows past SQLite's 1,000-page automatic
// checkpoint), and checkpoint() on its own connection copies every frame, so
// that later commits reuse the WAL from its start instead of growing it.
TEST(StoreDatabase, CheckpointsTakenOverRunOnlyWhenAskedAndThenReuseTheWal) {
    test::TempDir dir;
    auto path = (dir / "inkan.db").string();
    Database db(path);
    db.with([](Connection& c) { c.exec("CREATE TABLE wal_filler (b BLOB)"); });
    db.take_over_checkpoints();
    write_pages(db, 1500);  // ~1,500 pages, each row its own commit
    const auto grown = wal_size(path);
    EXPECT_GT(grown, 1200u * 4096u) << "a commit checkpointed although checkpoints were taken over";

    EXPECT_EQ(db.checkpoint(), 0) << "frames left in the WAL after a checkpoint with no readers";
    write_pages(db, 200);
    EXPECT_EQ(wal_size(path), grown) << "the WAL grew instead of being reused after the checkpoint";
    EXPECT_EQ(db.with([](Connection& c) {
        Statement s(c, "SELECT count(*) FROM wal_filler");
        s.step();
        return s.int64(0);
    }),
              1700);
}

// Migration 9 gives each row of an existing database its batch's URL expiry.
TEST(StoreDatabase, RowsOfABatchStoredBeforeMigration9ExpireWithTheirBatch) {
    test::TempDir dir;
    auto path = (dir / "inkan.db").string();
    {
        Database db(path);
        db.with([](Connection& c) {  // back to schema 8, with one batch and row
            c.exec(
                "ALTER TABLE issuance_rows DROP COLUMN urls_expire_at; PRAGMA user_version = 8;");
            c.exec(
                "INSERT INTO issuance_batches VALUES ('b1', 'Example University', 'op1', "
                "'op1@example.ac.jp', 'issue', 'abort', 1, '{}', 100, 4242);"
                "INSERT INTO issuance_rows (batch_id, row_no, line, subject_dn, profile_id, "
                "download_type, admin_name, admin_mail, user_name, user_mail, p12_file_name, "
                "raw_json, pin_nonce, status) VALUES ('b1', 1, 1, 'CN=a', 5, 1, '', '', '', '', "
                "'', '[]', x'00', 'accepted');");
        });
    }
    Database again(path);
    EXPECT_EQ(again.schema_version(), Database::latest_schema_version());
    SqliteBatchStore batches(again);
    EXPECT_EQ(batches.row("b1", 1)->urls_expire_at, 4242);
}

// Migration 10 rebuilds the certificates table (a new kind in its CHECK): rows,
// the operators' references and foreign-key enforcement survive it. Run here on
// a database set back to version 9 with an operator and its certificate.
TEST(StoreDatabase, MailSignerKindMigrationKeepsRowsAndOperatorReferences) {
    test::TempDir dir;
    auto path = (dir / "inkan.db").string();
    {
        Database db(path);
        SqliteCertificateStore certs(db);
        SqliteOperatorStore ops(db);
        ops.add(store_operator_certificate(certs, "aa"));
        db.with([](Connection& c) { c.exec("PRAGMA user_version = 9"); });
    }
    Database db(path);
    EXPECT_EQ(db.schema_version(), Database::latest_schema_version());
    SqliteCertificateStore certs(db);
    SqliteOperatorStore ops(db);
    auto found = certs.find("aa");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->kind, CertificateKind::Operator);
    EXPECT_EQ(found->der, (Bytes{0x30, 0x03, 0x02, 0x01, 0x01}));
    ASSERT_TRUE(ops.find_by_certificate("aa"));
    certs.reserve_serial("bb");
    auto mail = sample("bb", "CN=Inkan notifications,O=Inkan,C=JP");
    mail.kind = CertificateKind::MailSigner;
    certs.insert(mail);
    EXPECT_EQ(certs.find("bb")->kind, CertificateKind::MailSigner);
    // Foreign keys still hold: an operator needs a stored certificate.
    EXPECT_THROW(ops.add({0, "bob", "Example University", "", OperatorRole::RaOperator, "cc", 0}),
                 Error);
}

TEST(StoreCertificates, SerialCanBeReservedOnlyOnce) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    certs.reserve_serial("01");
    try {
        certs.reserve_serial("01");
        FAIL() << "second reservation must fail";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), ErrorCategory::Conflict);
    }
}

TEST(StoreCertificates, InsertNeedsReservedSerial) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    EXPECT_THROW(certs.insert(sample("ff", "CN=x")), Error);
    EXPECT_FALSE(certs.find("ff"));
}

TEST(StoreCertificates, RevokeUnknownAndTwice) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    certs.reserve_serial("02");
    certs.insert(sample("02", "CN=b"));
    EXPECT_TRUE(certs.subject_claimed(SubjectClaim{"CN=b", std::nullopt}, unix_now()));
    try {
        certs.revoke("99", 1, std::nullopt, unix_now());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), ErrorCategory::NotFound);
    }
    certs.revoke("02", 5, std::nullopt, 1234);
    EXPECT_FALSE(certs.subject_claimed(SubjectClaim{"CN=b", std::nullopt}, unix_now()));
    auto revoked = certs.revoked();
    ASSERT_EQ(revoked.size(), 1u);
    EXPECT_EQ(revoked[0].serial_hex, "02");
    EXPECT_EQ(revoked[0].reason, 5);
    EXPECT_EQ(revoked[0].revoked_at, 1234);
    try {
        certs.revoke("02", 5, std::nullopt, unix_now());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), ErrorCategory::Conflict);
    }
}

TEST(StoreCertificates, ListFiltersByInstitutionAndStatus) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    for (int i = 0; i < 5; ++i) {
        auto serial = "1" + std::to_string(i);
        certs.reserve_serial(serial);
        auto r = sample(serial, "CN=n" + std::to_string(i));
        if (i == 4) r.institution = "Other";
        certs.insert(r);
    }
    certs.revoke("10", 1, std::nullopt, unix_now());
    CertificateFilter f;
    f.institution = "Example University";
    EXPECT_EQ(certs.list(f).size(), 4u);
    f.status = CertificateStatus::Valid;
    EXPECT_EQ(certs.list(f).size(), 3u);
    EXPECT_EQ(certs.find_by_decimal("dec13")->serial_hex, "13");
}

TEST(StoreCertificates, SearchSubscribersScopesFiltersCountsAndPagesNewestFirst) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    const int64_t now = 1'000'000;
    auto add = [&](const std::string& serial, const std::string& subject, int64_t created_at,
                   int64_t not_after, CertificateKind kind = CertificateKind::Subscriber,
                   const std::string& institution = "Example University") {
        auto r = sample(serial, subject);
        r.created_at = created_at;
        r.not_after = not_after;
        r.kind = kind;
        r.institution = institution;
        certs.reserve_serial(serial);
        certs.insert(r);
    };
    // Inserted in this order; a1..a3 in the same second: insertion order decides.
    add("a0", "CN=old,O=Example University,C=JP", 10, now - 1);  // expired
    add("a1", "CN=one,O=Example University,C=JP", 20, now + 100);
    add("a2", "CN=two,OU=Lab,O=Example University,C=JP", 20, now + 100);
    add("a3", "CN=three,O=Example University,C=JP", 20, now);  // expires exactly now
    add("b1", "CN=one,O=Other,C=JP", 30, now + 100, CertificateKind::Subscriber, "Other");
    add("c1", "CN=op,O=Example University,C=JP", 40, now + 100, CertificateKind::Operator);
    add("c2", "CN=tls,O=Example University,C=JP", 40, now + 100, CertificateKind::TlsServer);
    certs.revoke("a2", 4, std::nullopt, now - 5);

    auto serials = [&](const CertificateQuery& q) {
        std::vector<std::string> out;
        for (const auto& m : certs.search_subscribers(q).matches)
            out.push_back(m.record.serial_hex);
        return out;
    };
    CertificateQuery q;
    q.now = now;
    EXPECT_EQ(serials(q),
              (std::vector<std::string>{"b1", "a3", "a2", "a1", "a0"}));  // no operator, no TLS
    q.institution = "Example University";
    EXPECT_EQ(serials(q), (std::vector<std::string>{"a3", "a2", "a1", "a0"}));
    EXPECT_EQ(certs.search_subscribers(q).total, 4u);

    q.validity = Validity::Valid;
    EXPECT_EQ(serials(q), (std::vector<std::string>{"a1"}));
    q.validity = Validity::Expired;
    EXPECT_EQ(serials(q), (std::vector<std::string>{"a3", "a0"}));
    q.validity = Validity::Revoked;
    EXPECT_EQ(serials(q), (std::vector<std::string>{"a2"}));
    q.validity.reset();

    q.subject = "CN=one,O=Example University,C=JP";
    EXPECT_EQ(serials(q), (std::vector<std::string>{"a1"}));
    q.subject.reset();
    q.subject_contains = "OU=Lab";
    EXPECT_EQ(serials(q), (std::vector<std::string>{"a2"}));
    q.subject_contains = "%";  // not a LIKE pattern
    EXPECT_TRUE(serials(q).empty());
    q.subject_contains.reset();
    q.serial_hex = "b1";  // another institution's
    EXPECT_TRUE(serials(q).empty());
    q.serial_hex = "a0";
    EXPECT_EQ(serials(q), (std::vector<std::string>{"a0"}));
    q.serial_hex.reset();
    q.mail = "nobody@example.ac.jp";  // certificates without a request row never match a mail
    EXPECT_TRUE(serials(q).empty());
    q.mail.reset();

    q.limit = 2;
    q.offset = 1;
    auto page = certs.search_subscribers(q);
    EXPECT_EQ(page.total, 4u);
    ASSERT_EQ(page.matches.size(), 2u);
    EXPECT_EQ(page.matches[0].record.serial_hex, "a2");
    EXPECT_EQ(page.matches[1].record.serial_hex, "a1");
    EXPECT_FALSE(page.matches[0].mail);
    q.offset = 4;
    EXPECT_TRUE(certs.search_subscribers(q).matches.empty());
    EXPECT_EQ(certs.search_subscribers(q).total, 4u);
}

TEST(StoreCertificates, ConcurrentReservationsFromThreads) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    std::vector<std::thread> threads;
    std::atomic<int> conflicts{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                try {
                    certs.reserve_serial(std::to_string(i * 8 + t % 4));
                } catch (const Error&) {
                    ++conflicts;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    // serials i*8 + {0..3}: 200 distinct values, each attempted by two threads
    EXPECT_EQ(conflicts.load(), 200);
}

TEST(StoreOperators, AddFindAndUniqueName) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    SqliteOperatorStore ops(db);
    OperatorRecord op = store_operator_certificate(certs, "aa");
    ops.add(op);
    auto found = ops.find_by_certificate("aa");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->name, "alice");
    EXPECT_FALSE(ops.find_by_certificate("bb"));
    EXPECT_THROW(ops.add(op), Error);
    EXPECT_EQ(ops.list().size(), 1u);
}

namespace {

NewBatch one_row_batch(const std::string& id, const std::string& subject, int64_t expires_at) {
    NewBatch nb;
    nb.batch = {id,   "Example University", "op1",     "op1@example.ac.jp", "issue", "abort", 1,
                "{}", unix_now(),           expires_at};
    BatchRowRecord row;
    row.batch_id = id;
    row.row_no = 1;
    row.line = 1;
    row.subject_dn = subject;
    row.profile_id = 5;
    row.download_type = 1;
    row.raw_json = "[]";
    row.pin_nonce = Bytes(16, 1);
    nb.rows.push_back(row);
    return nb;
}

}  // namespace

TEST(StoreSubjectClaims, ReservationCertificateAndPendingRowEachClaimTheSubject) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    SqliteBatchStore batches(db);
    const SubjectClaim claim{"CN=a,O=Example University,C=JP", std::nullopt};
    EXPECT_FALSE(certs.subject_claimed(claim, unix_now()));

    // An unsettled reservation claims it: a second one is refused as dn_duplicate.
    certs.reserve_serial("a1", claim);
    EXPECT_TRUE(certs.subject_claimed(claim, unix_now()));
    EXPECT_TRUE(certs.subject_claimed({"cn=A,o=EXAMPLE university,c=jp", std::nullopt}, unix_now()))
        << "DNs compare case-insensitively";
    try {
        certs.reserve_serial("a2", claim);
        FAIL() << "a second claim must be refused";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "dn_duplicate");
        EXPECT_EQ(e.category(), ErrorCategory::Conflict);
    }
    EXPECT_FALSE(certs.find("a2"));
    // Abandoned: free again. Issued: the certificate claims it until revoked.
    certs.abandon_serial("a1");
    EXPECT_FALSE(certs.subject_claimed(claim, unix_now()));
    certs.reserve_serial("a3", claim);
    certs.insert(sample("a3", claim.subject));
    EXPECT_TRUE(certs.subject_claimed(claim, unix_now()));
    EXPECT_THROW(certs.reserve_serial("a4", claim), Error);
    certs.revoke("a3", 4, std::nullopt, unix_now());
    EXPECT_FALSE(certs.subject_claimed(claim, unix_now()));

    // A stored request row claims it while its URLs live; the batch store refuses
    // a second batch with that subject and stores nothing of it.
    EXPECT_TRUE(batches.create(one_row_batch("b1", claim.subject, unix_now() + 3600)).empty());
    EXPECT_TRUE(certs.subject_claimed(claim, unix_now()));
    EXPECT_EQ(batches.create(one_row_batch("b2", claim.subject, unix_now() + 3600)),
              (std::vector<ConflictingRow>{{1, RowConflict::SubjectClaimed}}));
    EXPECT_FALSE(batches.find_batch("b2"));
    // ... but not against its own row (the row's own download).
    EXPECT_FALSE(certs.subject_claimed(SubjectClaim{claim.subject, RowRef{"b1", 1}}, unix_now()));
    // An expired batch claims nothing.
    EXPECT_FALSE(certs.subject_claimed(claim, unix_now() + 7200));
}

TEST(StoreSubjectClaims, ARenewalIsNotHeldByItsOldCertificateButByAnyOtherClaim) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    SqliteBatchStore batches(db);
    const std::string subject = "CN=r,O=Example University,C=JP";
    certs.reserve_serial("a1", SubjectClaim{subject, std::nullopt});
    certs.insert(sample("a1", subject));
    EXPECT_TRUE(certs.subject_claimed({subject, std::nullopt}, unix_now()));
    EXPECT_FALSE(certs.subject_claimed({subject, std::nullopt, "a1"}, unix_now()));
    EXPECT_FALSE(certs.renewal_pending("a1", unix_now()));

    // An issue row of that DN is refused; a renewal of a1 is stored and pending.
    EXPECT_EQ(batches.create(one_row_batch("i1", subject, unix_now() + 3600)),
              (std::vector<ConflictingRow>{{1, RowConflict::SubjectClaimed}}));
    NewBatch renewal = one_row_batch("r1", subject, unix_now() + 3600);
    renewal.batch.action = "renew";
    renewal.rows[0].renews_serial_hex = "a1";
    EXPECT_TRUE(batches.create(renewal).empty());
    EXPECT_EQ(batches.row("r1", 1)->renews_serial_hex, "a1");
    EXPECT_TRUE(certs.renewal_pending("a1", unix_now()));
    EXPECT_FALSE(certs.renewal_pending("a1", unix_now() + 7200));  // its URLs expired

    // A second renewal of a1 (even with another DN) conflicts; so does another
    // certificate's renewal with the DN the pending one holds.
    NewBatch second =
        one_row_batch("r2", "CN=r,O=Example University,L=Chiyoda-ku,C=JP", unix_now() + 3600);
    second.batch.action = "renew";
    second.rows[0].renews_serial_hex = "a1";
    EXPECT_EQ(batches.create(second),
              (std::vector<ConflictingRow>{{1, RowConflict::RenewalPending}}));
    second.rows[0].subject_dn = subject;
    second.rows[0].renews_serial_hex = "a2";
    EXPECT_EQ(batches.create(second),
              (std::vector<ConflictingRow>{{1, RowConflict::SubjectClaimed}}));
    EXPECT_FALSE(batches.find_batch("r2"));

    // The renewal's own download reserves against neither the row nor a1.
    EXPECT_NO_THROW(certs.reserve_serial("a3", SubjectClaim{subject, RowRef{"r1", 1}, "a1"}));
}

TEST(StoreSubjectClaims, DownloadMarksDeliveredAndSupersedesTheRowsEarlierCertificate) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    SqliteBatchStore batches(db);
    const std::string subject = "CN=b,O=Example University,C=JP";
    ASSERT_TRUE(batches.create(one_row_batch("b1", subject, unix_now() + 3600)).empty());
    const SubjectClaim own{subject, RowRef{"b1", 1}};
    for (const char* serial : {"c1", "c2"}) {
        certs.reserve_serial(serial, own);
        auto r = sample(serial, subject);
        r.row = RowRef{"b1", 1};
        r.delivery = Delivery::Pending;
        certs.insert(r);
        EXPECT_EQ(certs.find(serial)->delivery, Delivery::Pending);
        EXPECT_EQ(certs.find(serial)->row, (RowRef{"b1", 1}));
        batches.record_downloads("b1", {{1, serial}}, {}, unix_now());
        EXPECT_EQ(certs.find(serial)->delivery, Delivery::Delivered);
    }
    // The re-download's certificate superseded the first one.
    EXPECT_EQ(certs.find("c1")->status, CertificateStatus::Revoked);
    EXPECT_EQ(certs.find("c1")->revocation_reason, 4);
    EXPECT_EQ(certs.find("c2")->status, CertificateStatus::Valid);
    EXPECT_TRUE(certs.undelivered().empty());
}

TEST(StoreSubjectClaims, UndeliveredAndOpenReservationsAfterACrash) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCertificateStore certs(db);
    const SubjectClaim claim{"CN=c,O=Example University,C=JP", std::nullopt};
    certs.reserve_serial("d1", claim);  // signing never finished
    certs.reserve_serial("d2");
    auto r = sample("d2", "CN=d,O=Example University,C=JP");
    r.row = RowRef{"b9", 3};
    r.delivery = Delivery::Pending;
    certs.insert(r);  // signed, never delivered
    auto undelivered = certs.undelivered();
    ASSERT_EQ(undelivered.size(), 1u);
    EXPECT_EQ(undelivered[0].serial_hex, "d2");
    EXPECT_EQ(certs.settle_open_reservations(), 1u);
    EXPECT_FALSE(certs.subject_claimed(claim, unix_now()));
}

TEST(StoreCrls, NumbersOnlyGrowAndTheLatestIsServed) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    SqliteCrlStore crls(db);
    EXPECT_FALSE(crls.latest());
    crls.insert({1, 100, 200, 0, {0x30, 0x00}});
    crls.insert({2, 150, 250, 1, {0x30, 0x01, 0x00}});
    try {
        crls.insert({2, 160, 260, 1, {0x30, 0x00}});
        FAIL() << "a CRL number was reused";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "crl_number_taken");
    }
    EXPECT_THROW(crls.insert({1, 170, 270, 1, {0x30, 0x00}}), Error);
    auto latest = crls.latest();
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->number, 2);
    EXPECT_EQ(latest->this_update, 150);
    EXPECT_EQ(latest->next_update, 250);
    EXPECT_EQ(latest->der, (Bytes{0x30, 0x01, 0x00}));

    SqliteCertificateStore certs(db);
    EXPECT_EQ(crls.revoked_count(), 0);
    certs.reserve_serial("ab");
    certs.insert(sample("ab", "CN=a"));
    certs.revoke("ab", 1, std::nullopt, unix_now());
    EXPECT_EQ(crls.revoked_count(), 1);
}

// Issue 12: a connection keeps its prepared statements (keyed by SQL text) and
// hands them out again reset: a failed step, bindings and a statement that is
// still in use (the same SQL twice at once) do not leak into the next use.
TEST(StoreStatementCache, StatementsAreReusedResetAndNeverShared) {
    inkan::test::TempDir dir;
    inkan::store::Connection c((dir.path() / "cache.db").string());
    c.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
    const std::string insert = "INSERT INTO t (k, v) VALUES (?, ?)";
    const std::string select = "SELECT v FROM t WHERE k = ?";
    for (int i = 0; i < 3; ++i) {
        inkan::store::Statement s(c, insert);
        s.bind(1, "k" + std::to_string(i)).bind(2, int64_t{i}).run();
    }
    EXPECT_EQ(c.cached_statements(), 1u);
    try {
        inkan::store::Statement s(c, insert);
        s.bind(1, std::string("k1")).bind(2, int64_t{9}).run();
        ADD_FAILURE() << "duplicate key accepted";
    } catch (const inkan::Error& e) {
        EXPECT_EQ(e.code(), "store_conflict");
    }
    {
        inkan::store::Statement s(c, insert);  // the one that failed, reset
        s.bind(1, std::string("k3")).run();    // v left unbound: NULL, not the old 9
    }
    {
        inkan::store::Statement outer(c, select);
        outer.bind(1, std::string("k2"));
        ASSERT_TRUE(outer.step());  // still open while the same SQL runs again
        inkan::store::Statement inner(c, select);
        inner.bind(1, std::string("k3"));
        ASSERT_TRUE(inner.step());
        EXPECT_TRUE(inner.is_null(0));
        EXPECT_EQ(outer.int64(0), 2);
    }
    EXPECT_EQ(c.cached_statements(), 3u);  // the insert, and the select twice
    inkan::store::Statement again(c, select);
    again.bind(1, std::string("k0"));
    ASSERT_TRUE(again.step());
    EXPECT_EQ(again.int64(0), 0);
}
