#include <gtest/gtest.h>

#include <thread>

#include "common/error.h"
#include "store/database.h"
#include "store/sqlite_certificate_store.h"
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
    EXPECT_TRUE(certs.has_valid_with_subject("CN=b", unix_now()));
    try {
        certs.revoke("99", 1, std::nullopt, unix_now());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), ErrorCategory::NotFound);
    }
    certs.revoke("02", 5, std::nullopt, 1234);
    EXPECT_FALSE(certs.has_valid_with_subject("CN=b", unix_now()));
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
    certs.reserve_serial("aa");
    auto cert = sample("aa", "CN=op");
    cert.kind = CertificateKind::Operator;
    certs.insert(cert);
    OperatorRecord op{0, "alice", "Example University", "a@example.ac.jp",
                      OperatorRole::RaOperator, "aa", 0};
    ops.add(op);
    auto found = ops.find_by_certificate("aa");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->name, "alice");
    EXPECT_FALSE(ops.find_by_certificate("bb"));
    EXPECT_THROW(ops.add(op), Error);
    EXPECT_EQ(ops.list().size(), 1u);
}
