// Crash safety of a P12-bulk ZIP job (issues 12 and 13): the real `inkan
// serve` is killed (SIGKILL) and stopped (SIGTERM), alternately, 20 times at
// random points of a 200-row job (EC P-256 subscriber keys) and restarted each
// time. Afterwards the ZIP holds every row once, every row is downloaded with
// exactly one valid certificate, every other certificate signed on the way is
// revoked as undelivered, no serial repeats and every mail went out.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>
#include <thread>

#include "tests/appliance/crash_loop.h"

using namespace inkan;
using nlohmann::json;
using test::path_part;

namespace {

constexpr int kRows = 200;
constexpr int kInterruptions = 20;

}  // namespace

TEST(BulkJobCrash, KilledAndStoppedMidJobTheZipStillHoldsEveryRowOnce) {
    test::CrashLoopAppliance a(json{{"issuance", {{"bulk_threads", 1}}}});
    std::string file;
    for (int i = 1; i <= kRows; ++i) file += test::bulk_row("crash" + std::to_string(i));
    auto uploaded = a.operator_client().post("/api/v1/requests?action=issue&on_error=abort", file,
                                             "text/tab-separated-values");
    ASSERT_EQ(uploaded.status, 201) << uploaded.error << uploaded.body.substr(0, 2000);
    const json batch = json::parse(uploaded.body);
    const std::string id = batch["batch_id"];
    // Mails are on: the PIN URL reaches the RA operator and the ZIP URL the
    // subscriber admin only by mail.
    const std::string row1 =
        a.sql("SELECT subject_dn FROM issuance_rows WHERE batch_id = '" + id + "' AND row_no = 1");
    const std::string dn = row1.substr(0, row1.find('\n'));
    const std::string pin_path = a.mailed_path("アクセスPIN発行通知", dn, "pin");
    const std::string zip_path = a.mailed_path("発行受付通知", dn, "download");
    ASSERT_FALSE(pin_path.empty() || zip_path.empty());
    auto pins = a.public_client().post(pin_path, "");
    ASSERT_EQ(pins.status, 200) << pins.body;  // the job starts

    const int interrupted_midway = a.interrupt_bulk_job(zip_path, kRows, 0, kInterruptions);
    const int resumed = a.resumed_jobs();
    std::cout << "interrupted while running: " << interrupted_midway << " of " << kInterruptions
              << " (" << a.kills() << " SIGKILL, " << a.stops()
              << " SIGTERM), resumed at start: " << resumed << "\n";
    if (interrupted_midway > 0) {
        EXPECT_GT(resumed, 0);
    }

    auto zip = test::fetch_bulk_zip(a.public_client(), zip_path, "{}", 240);
    ASSERT_EQ(zip.status, 200) << zip.body.substr(0, 500);
    test::write_file(a.dir() / "batch.zip", zip.body);
    auto listing = test::run("unzip -Z1 " + (a.dir() / "batch.zip").string());
    ASSERT_EQ(listing.exit_code, 0) << listing.output;
    std::set<std::string> entries;
    for (size_t from = 0, nl; (nl = listing.output.find('\n', from)) != std::string::npos;
         from = nl + 1)
        entries.insert(listing.output.substr(from, nl - from));
    EXPECT_EQ(entries.size(), static_cast<size_t>(kRows + 1)) << listing.output;
    for (int i = 1; i <= kRows; ++i)
        EXPECT_TRUE(entries.count("crash" + std::to_string(i) + ".p12")) << i;
    a.wait_until_mails_sent();
    a.stop();

    // Every row downloaded with one valid certificate that is the row's.
    EXPECT_EQ(a.sql("SELECT COUNT(*) FROM issuance_rows r JOIN certificates c ON c.serial_hex = "
                    "r.serial_hex WHERE r.status = 'downloaded' AND c.status = 'valid' AND "
                    "r.batch_id = '" +
                    id + "'"),
              std::to_string(kRows) + "\n");
    EXPECT_EQ(a.sql("SELECT COUNT(*) FROM certificates WHERE batch_id = '" + id +
                    "' AND status = 'valid'"),
              std::to_string(kRows) + "\n");
    // Anything else signed for the batch on the way was revoked as undelivered.
    EXPECT_EQ(a.sql("SELECT COUNT(*) FROM certificates WHERE batch_id = '" + id +
                    "' AND status = 'revoked' AND (revocation_reason != 4 OR "
                    "revocation_comment NOT LIKE 'not delivered%')"),
              "0\n");
    a.expect_consistent_store();
    // The PIN and ZIP URL mails, and one download-completed mail per row.
    a.expect_every_mail_delivered(2 + kRows);
}
