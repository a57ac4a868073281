// Crash safety of a P12-bulk ZIP job (issues 12 and 13): the real `inkan
// serve` is killed (SIGKILL) and stopped (SIGTERM) at random points while the
// job builds RSA-2048 rows, and restarted each time. Afterwards the ZIP holds
// every row once, every row is downloaded with exactly one valid certificate,
// every other certificate signed on the way is revoked as undelivered, and no
// serial repeats.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/appliance/inkan_process.h"

using namespace inkan;
using nlohmann::json;

namespace {

constexpr int kRows = 48;
constexpr int kInterruptions = 6;

std::string bulk_file() {
    std::string out;
    for (int i = 1; i <= kRows; ++i) {
        std::string n = std::to_string(i);
        out += "CN=crash" + n + ".example.ac.jp,OU=" + n +
               ",O=Inkan Demo University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t2\t\t\t\t\tAdmin "
               "Taro\tIT Center\tadmin@example.ac.jp\tUser " +
               n + "\tcrash" + n + "\tEngineering\tuser" + n + "@example.ac.jp\t\r\n";
    }
    return out;
}

std::string path_of(const std::string& url) {
    auto scheme = url.find("://");
    return url.substr(url.find('/', scheme == std::string::npos ? 0 : scheme + 3));
}

test::HttpsClient public_client(const test::TempDir& dir, unsigned short port) {
    test::HttpsClient c;
    c.port = port;
    c.ca_file = (dir / "state" / "ca.pem").string();
    return c;
}

// Rows of a query on the appliance's database, tab-separated.
std::string sql(const test::TempDir& dir, const std::string& query) {
    auto r = test::run(
        "/usr/bin/python3 -c \"import sqlite3,sys\n"
        "c=sqlite3.connect(sys.argv[1])\n"
        "for row in c.execute(sys.argv[2]): print('\\t'.join(map(str,row)))\" " +
        (dir / "state" / "inkan.db").string() + " \"" + query + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
}

}  // namespace

TEST(BulkJobCrash, KilledAndStoppedMidJobTheZipStillHoldsEveryRowOnce) {
    test::TempDir dir;
    ASSERT_EQ(test::run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    const std::map<std::string, std::string> env = {{"INKAN_MAIL_TRANSPORT", "none"}};
    auto s = test::serve(dir, env);
    ASSERT_NE(s.operator_port, 0) << s.process->output();
    auto uploaded = test::operator_client(dir, s.operator_port)
                        .post("/api/v1/requests?action=issue&on_error=abort", bulk_file(),
                              "text/tab-separated-values");
    ASSERT_EQ(uploaded.status, 201) << uploaded.error << uploaded.body.substr(0, 2000);
    const json batch = json::parse(uploaded.body);
    const std::string zip_path = path_of(batch["retrieval_url"]);
    auto pins = public_client(dir, s.public_port).post(path_of(batch["pin_url"]), "");
    ASSERT_EQ(pins.status, 200) << pins.body;  // the job starts

    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> wait_ms(150, 900);
    int interrupted_midway = 0;
    int resumed = 0;
    for (int i = 0; i < kInterruptions; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms(random)));
        auto progress = public_client(dir, s.public_port).get(zip_path + "/status");
        if (progress.status == 200) {
            auto p = json::parse(progress.body);
            interrupted_midway += p["state"] == "running";
            SCOPED_TRACE(progress.body);
        }
        if (i % 2 == 0) {
            s.process->kill_now();
        } else {
            EXPECT_EQ(s.process->stop(), 0) << s.process->output();
        }
        s = test::serve(dir, env);
        ASSERT_NE(s.operator_port, 0) << s.process->output();
        resumed += s.process->output().find("resuming a bulk ZIP job") != std::string::npos;
    }
    std::cout << "interrupted while running: " << interrupted_midway << " of " << kInterruptions
              << ", resumed at start: " << resumed << "\n";
    if (interrupted_midway > 0) {
        EXPECT_GT(resumed, 0);
    }

    auto zip = test::fetch_bulk_zip(public_client(dir, s.public_port), zip_path, "{}", 240);
    ASSERT_EQ(zip.status, 200) << zip.body.substr(0, 500);
    test::write_file(dir / "batch.zip", zip.body);
    auto listing = test::run("unzip -Z1 " + (dir / "batch.zip").string());
    ASSERT_EQ(listing.exit_code, 0) << listing.output;
    std::set<std::string> entries;
    for (size_t at = 0, nl; (nl = listing.output.find('\n', at)) != std::string::npos; at = nl + 1)
        entries.insert(listing.output.substr(at, nl - at));
    EXPECT_EQ(entries.size(), static_cast<size_t>(kRows + 1)) << listing.output;
    for (int i = 1; i <= kRows; ++i)
        EXPECT_TRUE(entries.count("crash" + std::to_string(i) + ".p12")) << i;
    EXPECT_EQ(s.process->stop(), 0) << s.process->output();

    // Every row downloaded with one valid certificate that is the row's.
    const std::string id = batch["batch_id"];
    auto rows = sql(dir,
                    "SELECT r.row_no, r.status, c.status FROM issuance_rows r LEFT JOIN "
                    "certificates c ON c.serial_hex = r.serial_hex WHERE r.batch_id = '" +
                        id + "'");
    int downloaded = 0;
    for (size_t at = 0, nl; (nl = rows.find('\n', at)) != std::string::npos; at = nl + 1) {
        std::string line = rows.substr(at, nl - at);
        EXPECT_NE(line.find("\tdownloaded\tvalid"), std::string::npos) << line;
        ++downloaded;
    }
    EXPECT_EQ(downloaded, kRows) << rows;
    EXPECT_EQ(sql(dir, "SELECT COUNT(*) FROM certificates WHERE batch_id = '" + id +
                           "' AND status = 'valid'"),
              std::to_string(kRows) + "\n");
    // Anything else signed for the batch on the way was revoked as undelivered.
    EXPECT_EQ(sql(dir, "SELECT COUNT(*) FROM certificates WHERE batch_id = '" + id +
                           "' AND status = 'revoked' AND (revocation_reason != 4 OR "
                           "revocation_comment NOT LIKE 'not delivered%')"),
              "0\n");
    EXPECT_EQ(sql(dir, "SELECT COUNT(*) - COUNT(DISTINCT serial_hex) FROM certificates"), "0\n");
    EXPECT_EQ(sql(dir,
                  "SELECT COUNT(*) FROM certificates WHERE status = 'valid' AND delivery = "
                  "'pending'"),
              "0\n");
}
