// Crash safety of request files (issue 13): the real `inkan serve` is killed
// (SIGKILL) and stopped (SIGTERM), alternately, at random points of an issue
// upload, a renewal batch (upload, its bulk job, the revocation of the old
// certificates) and a revocation batch, 20 times per scenario, and restarted
// each time. Each upload is stored wholly or not at all, the same file sent
// again gets a clear answer, the work can be completed, and afterwards the
// store is consistent (crash_loop.h) and every mail went out.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "tests/appliance/crash_loop.h"

using namespace inkan;
using nlohmann::json;

namespace {

constexpr int kInterruptions = 20;
const std::string kIssue = "/api/v1/requests?action=issue&on_error=abort";
const std::string kRenew = "/api/v1/requests?action=renew&on_error=abort";
const std::string kRevoke = "/api/v1/requests?action=revoke&on_error=abort";

using Clock = std::chrono::steady_clock;

int elapsed_ms(Clock::time_point since) {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

std::string file_of(const std::string& prefix, int rows) {
    std::string file;
    for (int k = 1; k <= rows; ++k) file += test::bulk_row(prefix + std::to_string(k));
    return file;
}

// Every row of a rejected answer's report refused, with `code` among its errors.
void expect_all_rejected(const test::HttpResponse& answer, size_t rows, const std::string& code) {
    ASSERT_EQ(answer.status, 422) << answer.error << answer.body.substr(0, 1000);
    const json report = json::parse(answer.body)["report"];
    ASSERT_EQ(report["rejected"].size(), rows) << answer.body.substr(0, 1000);
    for (const auto& r : report["rejected"]) {
        bool found = false;
        for (const auto& e : r["errors"]) found = found || e["code"] == code;
        EXPECT_TRUE(found) << r.dump();
    }
}

// A P12-bulk batch of `rows` rows named `prefix`1.. issued and fetched without
// interruption: its id, and each row's DN and decimal serial.
struct Issued {
    std::string batch_id;
    std::vector<std::pair<std::string, std::string>> rows;  // DN, serial
};

Issued issue_and_fetch(test::CrashLoopAppliance& a, const std::string& prefix, int rows) {
    Issued out;
    auto uploaded =
        a.operator_client().post(kIssue, file_of(prefix, rows), "text/tab-separated-values");
    EXPECT_EQ(uploaded.status, 201) << uploaded.body.substr(0, 1000);
    if (uploaded.status != 201) return out;
    out.batch_id = json::parse(uploaded.body)["batch_id"];
    const std::string dn = a.sql("SELECT subject_dn FROM issuance_rows WHERE batch_id = '" +
                                 out.batch_id + "' AND row_no = 1");
    const std::string first = dn.substr(0, dn.find('\n'));
    auto pins = a.public_client().post(a.mailed_path("アクセスPIN発行通知", first, "pin"), "");
    EXPECT_EQ(pins.status, 200) << pins.body;
    auto zip = test::fetch_bulk_zip(a.public_client(),
                                    a.mailed_path("発行受付通知", first, "download"), "{}", 240);
    EXPECT_EQ(zip.status, 200) << zip.body.substr(0, 500);
    std::string listed = a.sql(
        "SELECT r.subject_dn, c.serial_dec FROM issuance_rows r JOIN certificates c ON "
        "c.serial_hex = r.serial_hex WHERE r.status = 'downloaded' AND r.batch_id = '" +
        out.batch_id + "' ORDER BY r.row_no");
    for (size_t at = 0, nl; (nl = listed.find('\n', at)) != std::string::npos; at = nl + 1) {
        std::string line = listed.substr(at, nl - at);
        out.rows.emplace_back(line.substr(0, line.find('\t')), line.substr(line.find('\t') + 1));
    }
    EXPECT_EQ(out.rows.size(), static_cast<size_t>(rows));
    return out;
}

// A revocation file whose certificates are all revoked already: accepted with
// nothing revoked, one already_revoked notice a row.
void expect_nothing_left_to_revoke(const test::HttpResponse& answer, size_t rows) {
    ASSERT_EQ(answer.status, 201) << answer.error << answer.body.substr(0, 1000);
    const json body = json::parse(answer.body);
    EXPECT_EQ(body.value("revoked", json::array()).size(), 0u) << answer.body.substr(0, 1000);
    ASSERT_EQ(body["report"]["notices"].size(), rows) << answer.body.substr(0, 1000);
    for (const auto& n : body["report"]["notices"]) EXPECT_EQ(n["code"], "already_revoked");
}

long long batches(const test::CrashLoopAppliance& a, const std::string& action) {
    return a.count("SELECT COUNT(*) FROM issuance_batches WHERE action = '" + action + "'");
}

}  // namespace

// An upload killed while it is checked and stored: afterwards the batch is
// there with every row, its URLs and its two mails, or nothing of it is; the
// same file sent again is stored (201) or refused row by row as a duplicate
// (422 dn_duplicate), never half.
TEST(RequestCrash, UploadKilledWhileStoredIsStoredWhollyOrNotAtAll) {
    constexpr int kRows = 2000;
    test::CrashLoopAppliance a;
    int window_ms = 1500;  // then 1.5 times the last whole upload, or less after a late one
    int stored_before_interruption = 0, answered = 0;
    for (int i = 0; i < kInterruptions; ++i) {
        SCOPED_TRACE("interruption " + std::to_string(i));
        const std::string file = file_of("up" + std::to_string(i) + "-", kRows);
        const long long before = batches(a, "issue");
        auto cut = a.post_interrupted(kIssue, file, i, window_ms);
        const long long after = batches(a, "issue");
        ASSERT_TRUE(after == before || after == before + 1) << before << " -> " << after;
        const bool stored = after == before + 1;
        stored_before_interruption += stored;
        answered += cut.status == 201;
        if (stored) {
            const std::string id =
                a.sql("SELECT id FROM issuance_batches ORDER BY rowid DESC LIMIT 1").substr(0, 32);
            EXPECT_EQ(a.count("SELECT COUNT(*) FROM issuance_rows WHERE batch_id = '" + id + "'"),
                      kRows);
            EXPECT_EQ(a.count("SELECT COUNT(*) FROM issuance_urls WHERE batch_id = '" + id + "'"),
                      2);
            EXPECT_EQ(a.count("SELECT COUNT(*) FROM notifications WHERE batch_id = '" + id + "'"),
                      2);
        } else {
            EXPECT_NE(cut.status, 201) << "answered as stored, but nothing is";
        }
        auto start = Clock::now();
        auto again = a.operator_client().post(kIssue, file, "text/tab-separated-values");
        if (stored) {
            expect_all_rejected(again, kRows, "dn_duplicate");
            window_ms = window_ms * 2 / 3;  // aim closer to the upload's start
        } else {
            ASSERT_EQ(again.status, 201) << again.error << again.body.substr(0, 1000);
            window_ms = elapsed_ms(start) * 3 / 2;
        }
    }
    std::cout << "uploads stored before the interruption: " << stored_before_interruption << " of "
              << kInterruptions << " (answered 201: " << answered << "), " << a.kills()
              << " SIGKILL, " << a.stops() << " SIGTERM, last window " << window_ms << " ms\n";
    EXPECT_EQ(batches(a, "issue"), kInterruptions);
    EXPECT_EQ(a.sql("SELECT batch_id FROM issuance_rows GROUP BY batch_id HAVING COUNT(*) != " +
                    std::to_string(kRows)),
              "");
    a.wait_until_mails_sent();
    a.stop();
    a.expect_consistent_store();
    a.expect_every_mail_delivered(2LL * kInterruptions);
}

// A renewal batch (P12 bulk) interrupted at random points: 4 times while its
// file is uploaded, 12 times while its bulk job builds the new certificates, 4
// times while its revocation file (for the old certificates) is uploaded.
// Afterwards each row is renewed exactly once, each old certificate revoked
// once, and every mail (renewal and revocation) went out.
TEST(RequestCrash, RenewalBatchKilledAtRandomPointsIsCompletedOnce) {
    constexpr int kRows = 60;
    test::CrashLoopAppliance a(json{{"issuance", {{"bulk_threads", 1}}}});
    const Issued old = issue_and_fetch(a, "renew", kRows);
    ASSERT_EQ(old.rows.size(), static_cast<size_t>(kRows));
    std::string renewal;
    for (int k = 1; k <= kRows; ++k)
        renewal += test::bulk_row("renew" + std::to_string(k), old.rows[k - 1].second);

    int i = 0;
    // The upload: stored wholly or not at all; sent again until it is.
    bool stored = false;
    for (; i < 4; ++i) {
        auto cut = a.post_interrupted(kRenew, renewal, i, stored ? 0 : 600);
        const long long n = batches(a, "renew");
        ASSERT_LE(n, 1);
        if (n == 0) {
            EXPECT_NE(cut.status, 201);
        }
        stored = n == 1;
        if (stored) break;
    }
    if (!stored) {
        auto whole = a.operator_client().post(kRenew, renewal, "text/tab-separated-values");
        ASSERT_EQ(whole.status, 201) << whole.body.substr(0, 1000);
    }
    for (++i; i < 4; ++i) a.interrupt(i);  // interruptions left over: at rest
    const std::string id =
        a.sql("SELECT id FROM issuance_batches WHERE action = 'renew'").substr(0, 32);
    EXPECT_EQ(a.count("SELECT COUNT(*) FROM issuance_rows WHERE batch_id = '" + id + "'"), kRows);
    // The same file again: every old serial has its renewal pending.
    expect_all_rejected(a.operator_client().post(kRenew, renewal, "text/tab-separated-values"),
                        kRows, "renewal_pending");

    // The bulk job, interrupted while it builds.
    const std::string first = old.rows[0].first;
    const std::string old_zip = a.mailed_path("発行受付通知", first, "download");
    const std::string pin_path = a.mailed_path("アクセスPIN発行通知", first, "pin",
                                               a.mailed_path("アクセスPIN発行通知", first, "pin"));
    const std::string zip_path = a.mailed_path("発行受付通知", first, "download", old_zip);
    ASSERT_EQ(a.public_client().post(pin_path, "").status, 200);
    const int midway = a.interrupt_bulk_job(zip_path, kRows, 4, 12);
    auto zip = test::fetch_bulk_zip(a.public_client(), zip_path, "{}", 240);
    ASSERT_EQ(zip.status, 200) << zip.body.substr(0, 500);

    // The revocation file for the old certificates, uploaded and interrupted.
    auto file = a.operator_client().get("/api/v1/requests/" + id + "/revocation-file");
    ASSERT_EQ(file.status, 200) << file.body;
    const std::string old_revoked =
        "SELECT COUNT(*) FROM certificates c JOIN issuance_rows r ON "
        "r.serial_hex = c.serial_hex WHERE c.status = 'revoked' AND "
        "r.batch_id = '" +
        old.batch_id + "'";
    for (i = 16; i < kInterruptions; ++i) {
        const long long before = a.count(old_revoked);
        auto cut = a.post_interrupted(kRevoke, file.body, i, before == kRows ? 0 : 300);
        const long long after = a.count(old_revoked);
        ASSERT_TRUE(after == before || after == kRows) << before << " -> " << after;
        if (after == before && before == 0) {
            EXPECT_NE(cut.status, 201);
        }
    }
    if (a.count(old_revoked) == 0) {
        auto whole = a.operator_client().post(kRevoke, file.body, "text/tab-separated-values");
        ASSERT_EQ(whole.status, 201) << whole.body.substr(0, 1000);
    }
    EXPECT_EQ(a.count(old_revoked), kRows);
    // Sent again: every row a notice that it is revoked already, nothing done.
    expect_nothing_left_to_revoke(
        a.operator_client().post(kRevoke, file.body, "text/tab-separated-values"), kRows);
    std::cout << "renewal: " << a.kills() << " SIGKILL, " << a.stops()
              << " SIGTERM; job interrupted while running " << midway << " of 12\n";

    a.wait_until_mails_sent();
    a.stop();
    a.expect_consistent_store();
    EXPECT_EQ(a.count("SELECT COUNT(*) FROM issuance_rows WHERE status = 'downloaded' AND "
                      "batch_id = '" +
                      id + "'"),
              kRows);
    // Issue (PIN, ZIP, one download mail a row), renewal (PIN, ZIP, one renewal
    // mail a row), revocation (the RA operator, the admin and the user a row).
    a.expect_every_mail_delivered(2 + kRows + 2 + kRows + 3 * kRows);
}

// A revocation batch in 20 files of 10 rows, each upload interrupted at a
// random point: each file revokes all its certificates with their mails or
// none; sent again it revokes the rest (201) or says they are revoked already
// (201 with nothing revoked, one notice a row); the CRL lists every revoked certificate.
TEST(RequestCrash, RevocationBatchKilledAtRandomPointsRevokesEachCertificateOnce) {
    constexpr int kFiles = kInterruptions;
    constexpr int kPerFile = 10;
    test::CrashLoopAppliance a;
    const Issued issued = issue_and_fetch(a, "rev", kFiles * kPerFile);
    ASSERT_EQ(issued.rows.size(), static_cast<size_t>(kFiles * kPerFile));
    int window_ms = 400;
    int revoked_before_interruption = 0;
    for (int i = 0; i < kFiles; ++i) {
        SCOPED_TRACE("file " + std::to_string(i));
        std::string file, serials;
        for (int k = i * kPerFile; k < (i + 1) * kPerFile; ++k) {
            file += test::revoke_row(issued.rows[k].first, issued.rows[k].second);
            serials += std::string(serials.empty() ? "" : ", ") + "'" + issued.rows[k].second + "'";
        }
        const std::string revoked =
            "SELECT COUNT(*) FROM certificates WHERE status = 'revoked' "
            "AND serial_dec IN (" +
            serials + ")";
        const std::string events =
            "SELECT COUNT(*) FROM notifications WHERE type = "
            "'revocation_completed' AND serial_dec IN (" +
            serials + ")";
        auto cut = a.post_interrupted(kRevoke, file, i, window_ms);
        const long long n = a.count(revoked);
        ASSERT_TRUE(n == 0 || n == kPerFile) << n;
        EXPECT_EQ(a.count(events), n) << "each revocation with its mail, in one transaction";
        revoked_before_interruption += n == kPerFile;
        auto start = Clock::now();
        auto again = a.operator_client().post(kRevoke, file, "text/tab-separated-values");
        if (n == 0) {
            EXPECT_NE(cut.status, 201);
            ASSERT_EQ(again.status, 201) << again.body.substr(0, 1000);
            EXPECT_EQ(json::parse(again.body)["revoked"].size(), static_cast<size_t>(kPerFile));
            window_ms = std::max(5, elapsed_ms(start) * 3 / 2);
        } else {
            window_ms = std::max(5, window_ms * 2 / 3);  // aim closer to the upload's start
            expect_nothing_left_to_revoke(again, kPerFile);
        }
        EXPECT_EQ(a.count(revoked), kPerFile);
        EXPECT_EQ(a.count(events), kPerFile);
    }
    std::cout << "revocation files done before the interruption: " << revoked_before_interruption
              << " of " << kFiles << ", " << a.kills() << " SIGKILL, " << a.stops()
              << " SIGTERM, last window " << window_ms << " ms\n";
    // The CRL the appliance serves lists every revoked certificate.
    const std::string der = (a.dir() / "crl.der").string();
    auto crl = test::run("curl -sf -o " + der +
                         " http://127.0.0.1:" + std::to_string(a.serving().crl_port) +
                         "/crl/inkan-ca.crl && openssl crl -inform DER -noout -text -in " + der +
                         " | grep -c 'Serial Number:'");
    EXPECT_EQ(crl.output, a.sql("SELECT COUNT(*) FROM certificates WHERE status = 'revoked'"));
    a.wait_until_mails_sent();
    a.stop();
    a.expect_consistent_store();
    a.expect_every_mail_delivered(2 + kFiles * kPerFile + kFiles * kPerFile);
}
