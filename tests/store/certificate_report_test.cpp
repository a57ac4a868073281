// The store side of the certificate information download (export_page) and
// the statistics (SQL aggregates), on SQLite in a temp dir.
#include <gtest/gtest.h>

#include "store/database.h"
#include "store/sqlite_certificate_store.h"
#include "tests/support/temp_dir.h"

using namespace inkan;
using namespace inkan::store;

namespace {

constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kJan2026 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kFeb2026 = 1769904000;  // 2026-02-01T00:00:00Z
constexpr int64_t kMar2026 = 1772323200;  // 2026-03-01T00:00:00Z

class CertificateReports : public ::testing::Test {
  protected:
    test::TempDir dir;
    Database db{(dir / "inkan.db").string()};
    SqliteCertificateStore certs{db};
    const int64_t now = kMar2026 + 10 * kDay;

    void add(const std::string& serial, int64_t created_at, int64_t not_after, int profile = 5,
             const std::string& institution = "Example University") {
        CertificateRecord r;
        r.serial_hex = serial;
        r.serial_dec = "1" + serial;
        r.subject = "CN=" + serial + ",O=" + institution + ",C=JP";
        r.issuer = "CN=Test CA";
        r.not_before = created_at;
        r.not_after = not_after;
        r.kind = CertificateKind::Subscriber;
        r.profile_id = profile;
        r.institution = institution;
        r.requested_by = "op1";
        r.der = {0x30, 0x00};
        r.created_at = created_at;
        certs.reserve_serial(serial);
        certs.insert(r);
    }
};

}  // namespace

TEST_F(CertificateReports, ExportPagesWalkOldestFirstByCursorWithinScopeAndFilters) {
    for (int i = 1; i <= 5; ++i) add("0" + std::to_string(i), kJan2026 + i, now + 400 * kDay);
    add("99", kJan2026, now + 400 * kDay, 5, "Other University");
    CertificateQuery q;
    q.institution = "Example University";
    q.now = now;
    std::vector<std::string> seen;
    int64_t after = 0;
    std::vector<size_t> sizes;
    for (;;) {
        auto page = certs.export_page(q, after, 2);
        if (page.empty()) break;
        sizes.push_back(page.size());
        for (const auto& r : page) {
            seen.push_back(r.record.serial_hex);
            EXPECT_GT(r.rowid, after);
            EXPECT_FALSE(r.action);  // no request row
            EXPECT_FALSE(r.url_expires_at);
            after = r.rowid;
        }
    }
    EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
    EXPECT_EQ(seen, (std::vector<std::string>{"01", "02", "03", "04", "05"}));

    certs.revoke("03", 1, std::nullopt, now);
    q.validity = Validity::Revoked;
    auto revoked = certs.export_page(q, 0, 10);
    ASSERT_EQ(revoked.size(), 1u);
    EXPECT_EQ(revoked[0].record.serial_hex, "03");
}

TEST_F(CertificateReports, StatisticsCountByMonthOfIssueAndOfRevocationProfileAndExpiry) {
    add("01", kJan2026 + kDay, now + 400 * kDay);     // valid
    add("02", kJan2026 + 2 * kDay, now + 10 * kDay);  // valid, expiring within 30 days
    add("03", kFeb2026 + kDay, now - kDay, 7);        // expired
    add("04", kFeb2026 + 2 * kDay, now + 400 * kDay, 7);
    add("05", kJan2026, now + 400 * kDay, 5, "Other University");
    certs.revoke("04", 1, std::nullopt, kMar2026 + kDay);

    auto all = certs.statistics(std::nullopt, now);
    EXPECT_EQ(all.total.issued, 5);

    auto s = certs.statistics(std::string("Example University"), now);
    EXPECT_EQ(s.total, (CertificateCounts{4, 0, 1, 2, 1}));
    ASSERT_EQ(s.by_month.size(), 3u);
    EXPECT_EQ(s.by_month[0].first, "2026-01");
    EXPECT_EQ(s.by_month[0].second, (CertificateCounts{2, 0, 0, 2, 1}));
    EXPECT_EQ(s.by_month[1].first, "2026-02");
    EXPECT_EQ(s.by_month[1].second, (CertificateCounts{2, 0, 0, 0, 0}));
    EXPECT_EQ(s.by_month[2].first, "2026-03");  // the revocation's month
    EXPECT_EQ(s.by_month[2].second, (CertificateCounts{0, 0, 1, 0, 0}));
    ASSERT_EQ(s.by_profile.size(), 2u);
    EXPECT_EQ(s.by_profile[0].first, 5);
    EXPECT_EQ(s.by_profile[0].second, (CertificateCounts{2, 0, 0, 2, 1}));
    EXPECT_EQ(s.by_profile[1].first, 7);
    EXPECT_EQ(s.by_profile[1].second, (CertificateCounts{2, 0, 1, 0, 0}));
    ASSERT_EQ(s.by_download_type.size(), 1u);
    EXPECT_EQ(s.by_download_type[0].first, 0);  // no request rows
    EXPECT_EQ(s.by_download_type[0].second.issued, 4);

    auto none = certs.statistics(std::string("Nobody"), now);
    EXPECT_EQ(none.total, CertificateCounts{});
    EXPECT_TRUE(none.by_month.empty());
}
