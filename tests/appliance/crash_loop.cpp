#include "tests/appliance/crash_loop.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include "ca/certificate_authority.h"
#include "common/bytes.h"
#include "pki/encoding.h"
#include "pki/serial.h"

namespace inkan::test {
namespace {

using nlohmann::json;

std::vector<std::vector<std::string>> table(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::vector<std::string> cells;
        size_t at = 0;
        for (size_t tab; (tab = line.find('\t', at)) != std::string::npos; at = tab + 1)
            cells.push_back(line.substr(at, tab - at));
        cells.push_back(line.substr(at));
        rows.push_back(std::move(cells));
    }
    return rows;
}

// The line after the first `marker` in `body`, "" without one.
std::string line_after(const std::string& body, const std::string& marker) {
    auto at = body.find(marker);
    if (at == std::string::npos) return "";
    at += marker.size();
    return body.substr(at, body.find('\n', at) - at);
}

// The dashed rule before a mail's DN lines.
constexpr const char* kRule = "--------------------------------------------\n";

// What a mail is about, as the outbox check counts it: its kind (a part of the
// subject), its recipient and the serial it names (DN-listing mails: the first DN).
using MailKey = std::tuple<std::string, std::string, std::string>;

struct MailKind {
    const char* type;
    bool renewal;          // download_completed of a renewal row
    const char* subject;   // a part of the mail's subject
    bool keyed_by_serial;  // else by the first DN line
};
constexpr MailKind kMailKinds[] = {
    {"access_pin_issued", false, "アクセスPIN発行通知", false},
    {"issuance_accepted", false, "発行受付通知", false},
    {"download_completed", false, "取得通知", true},
    {"download_completed", true, "更新通知", true},
    {"revocation_completed", false, "失効完了通知", true},
};

}  // namespace

std::string bulk_row(const std::string& name, const std::string& serial) {
    return "CN=" + name +
           ".example.ac.jp,O=Inkan Demo University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t2\t" + serial +
           "\t\t\t\tAdmin Taro\tIT Center\tadmin@example.ac.jp\tUser\t" + name + "\tEngineering\t" +
           name + "@example.ac.jp\t\r\n";
}

std::string revoke_row(const std::string& subject_dn, const std::string& serial) {
    return subject_dn + "\t\t\t" + serial + "\t5\t\t\t\t\t\t\t\t\t\t\r\n";
}

std::string path_part(const std::string& url) {
    auto scheme = url.find("://");
    return url.substr(url.find('/', scheme == std::string::npos ? 0 : scheme + 3));
}

CrashLoopAppliance::CrashLoopAppliance(const json& config) {
    json merged = {{"issuance", {{"p12_key_type", "ec-p256"}}},
                   {"mail", {{"transport", "maildir"}, {"send_interval_seconds", 1}}}};
    merged.merge_patch(config);
    std::filesystem::create_directories(dir_ / "state");
    write_file(dir_ / "state" / "inkan.json", merged.dump());
    auto init = run_inkan(dir_, "init --key-type ec-p256");  // + the demo institution
    EXPECT_EQ(init.exit_code, 0) << init.output;
    serving_ = serve(dir_);
    EXPECT_NE(serving_.operator_port, 0) << serving_.process->output();
}

HttpsClient CrashLoopAppliance::operator_client() const {
    return test::operator_client(dir_, serving_.operator_port);
}

HttpsClient CrashLoopAppliance::public_client() const {
    HttpsClient c;
    c.port = serving_.public_port;
    c.ca_file = (dir_ / "state" / "ca.pem").string();
    return c;
}

int CrashLoopAppliance::random_ms(int max_ms) {
    return std::uniform_int_distribution<int>(0, max_ms)(random_);
}

void CrashLoopAppliance::interrupt(int i) {
    const std::string unaccounted =
        "SELECT serial_hex FROM certificates WHERE status = 'valid' AND delivery = 'pending' AND "
        "serial_hex NOT IN (SELECT serial_hex FROM bulk_job_files)";
    if (i % 2 == 0) {
        serving_.process->kill_now();
        ++kills_;
    } else {
        EXPECT_EQ(serving_.process->stop(), 0) << serving_.process->output();
        ++stops_;
        // A stop finishes what it is doing: nothing signed is left for the next start.
        EXPECT_EQ(sql(unaccounted), "") << "after the stop of interruption " << i;
    }
    const std::string left_behind = sql(unaccounted);
    serving_ = serve(dir_);
    ASSERT_NE(serving_.operator_port, 0) << serving_.process->output();
    resumed_ += serving_.process->output().find("resuming a bulk ZIP job") != std::string::npos;
    for (const auto& row : table(left_behind)) {
        EXPECT_EQ(sql("SELECT status || ' ' || revocation_reason FROM certificates WHERE "
                      "serial_hex = '" +
                      row[0] + "'"),
                  "revoked 4\n")
            << "signed before kill " << i << " but not delivered";
    }
}

int CrashLoopAppliance::interrupt_bulk_job(const std::string& zip_path, int rows, int first,
                                           int count) {
    std::vector<int> at;
    while (at.size() < static_cast<size_t>(count)) {
        int row = 1 + random_ms(rows - 2);
        if (std::find(at.begin(), at.end(), row) == at.end()) at.push_back(row);
    }
    std::sort(at.begin(), at.end());
    int midway = 0;
    for (int i = 0; i < count; ++i) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        json p;
        while (std::chrono::steady_clock::now() < deadline) {
            auto r = public_client().get(zip_path + "/status");
            p = r.status == 200 ? json::parse(r.body) : json();
            if (!p.is_null() && (p["done"].get<int>() >= at[static_cast<size_t>(i)] ||
                                 (p["state"] != "running" && p["state"] != "queued")))
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(random_ms(25)));
        midway += !p.is_null() && p["state"] == "running";
        interrupt(first + i);
    }
    return midway;
}

HttpResponse CrashLoopAppliance::post_interrupted(const std::string& path, const std::string& body,
                                                  int i, int max_ms) {
    const HttpsClient client = operator_client();
    HttpResponse answer;
    std::thread upload([&] { answer = client.post(path, body, "text/tab-separated-values"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(random_ms(max_ms)));
    interrupt(i);
    upload.join();
    return answer;
}

std::string CrashLoopAppliance::sql(const std::string& query) const {
    auto r =
        run("/usr/bin/python3 -c \"import sqlite3,sys\n"
            "c=sqlite3.connect(sys.argv[1], timeout=30)\n"
            "for row in c.execute(sys.argv[2]): print('\\t'.join(map(str,row)))\" " +
            (dir_ / "state" / "inkan.db").string() + " " + shell_quote(query));
    EXPECT_EQ(r.exit_code, 0) << query << "\n" << r.output;
    return r.output;
}

long long CrashLoopAppliance::count(const std::string& query) const {
    std::string out = sql(query);
    return out.empty() ? -1 : std::stoll(out);
}

void CrashLoopAppliance::wait_until_mails_sent(int timeout_seconds) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    const std::string queued =
        "SELECT COUNT(*) FROM notifications WHERE sent_at IS NULL AND dead_at IS NULL";
    while (count(queued) > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(count(queued), 0) << "mails still queued";
    EXPECT_EQ(count("SELECT COUNT(*) FROM notifications WHERE dead_at IS NOT NULL"), 0);
}

void CrashLoopAppliance::stop() {
    EXPECT_EQ(serving_.process->stop(), 0) << serving_.process->output();
}

void CrashLoopAppliance::expect_consistent_store() const {
    // Each row, with its valid certificates: all, delivered and its own, and
    // built by its bulk job (pending, in the job's files); and whether the
    // row's own certificate was revoked.
    auto rows = table(sql(
        "SELECT r.batch_id, r.row_no, r.status, "
        "(SELECT COUNT(*) FROM certificates c WHERE c.batch_id = r.batch_id AND c.row_no = "
        "r.row_no AND c.status = 'valid'), "
        "(SELECT COUNT(*) FROM certificates c WHERE c.serial_hex = r.serial_hex AND c.batch_id = "
        "r.batch_id AND c.row_no = r.row_no AND c.status = 'valid' AND c.delivery = "
        "'delivered'), "
        "(SELECT COUNT(*) FROM bulk_job_files f JOIN certificates c ON c.serial_hex = "
        "f.serial_hex WHERE f.batch_id = r.batch_id AND f.row_no = r.row_no AND c.status = "
        "'valid' AND c.delivery = 'pending'), "
        "(SELECT COUNT(*) FROM certificates c WHERE c.serial_hex = r.serial_hex AND c.status = "
        "'revoked') "
        "FROM issuance_rows r"));
    std::map<std::string, int> states;
    for (const auto& r : rows) {
        ASSERT_EQ(r.size(), 7u);
        const std::string& status = r[2];
        const int valid = std::stoi(r[3]), held = std::stoi(r[4]), built = std::stoi(r[5]),
                  revoked = std::stoi(r[6]);
        std::vector<std::string> in;
        if (status != "downloaded" && valid == 0) in.push_back("waiting");
        if ((status == "accepted" || status == "pin_viewed") && valid == 1 && built == 1)
            in.push_back("built");
        if (status == "downloaded" && valid == 1 && held == 1) in.push_back("downloaded");
        if (status == "downloaded" && valid == 0 && revoked == 1)
            in.push_back("downloaded_revoked");
        EXPECT_EQ(in.size(), 1u) << "batch " << r[0] << " row " << r[1] << ": status " << status
                                 << ", valid " << valid << ", held " << held << ", built " << built
                                 << ", revoked " << revoked;
        if (in.size() == 1) ++states[in[0]];
    }
    std::string summary;
    for (const auto& [state, n] : states) summary += " " + state + " " + std::to_string(n);
    std::cout << "rows:" << summary << "\n";

    // Every valid subscriber certificate has a holder, or a bulk job holds it for its row.
    EXPECT_EQ(sql("SELECT c.serial_hex, c.batch_id, c.row_no, c.delivery FROM certificates c "
                  "WHERE c.status = 'valid' AND c.kind = 'subscriber' AND NOT ("
                  "(c.delivery = 'delivered' AND EXISTS (SELECT 1 FROM issuance_rows r WHERE "
                  "r.batch_id = c.batch_id AND r.row_no = c.row_no AND r.serial_hex = "
                  "c.serial_hex AND r.status = 'downloaded')) OR "
                  "(c.delivery = 'pending' AND EXISTS (SELECT 1 FROM bulk_job_files f JOIN "
                  "bulk_jobs j ON j.batch_id = f.batch_id JOIN issuance_rows r ON r.batch_id = "
                  "f.batch_id AND r.row_no = f.row_no WHERE f.serial_hex = c.serial_hex AND "
                  "f.row_no = c.row_no AND j.state IN ('queued', 'running', 'ready') AND "
                  "r.status != 'downloaded')))"),
              "")
        << "valid certificates without a row that has them or can still get them";

    // No serial repeats: in the store, and in the certificates themselves.
    EXPECT_EQ(sql("SELECT COUNT(*) - COUNT(DISTINCT serial_hex) FROM certificates"), "0\n");
    std::set<std::string> serials;
    size_t certificates = 0;
    for (const auto& r : table(sql("SELECT serial_hex, hex(der) FROM certificates"))) {
        ASSERT_EQ(r.size(), 2u);
        auto x509 = pki::parse_certificate(hex_decode(r[1]));
        std::string in_der =
            ca::serial_key(pki::serial_from_asn1(X509_get0_serialNumber(x509.get())));
        EXPECT_EQ(in_der, r[0]);
        EXPECT_TRUE(serials.insert(in_der).second) << "serial " << in_der << " repeats";
        ++certificates;
    }
    EXPECT_EQ(serials.size(), certificates);
}

std::vector<json> CrashLoopAppliance::mails() const {
    const auto maildir = dir_ / "state" / "mail" / "Maildir" / "new";
    if (!std::filesystem::exists(maildir)) return {};
    auto read = run(std::string("/usr/bin/python3 ") + INKAN_SOURCE_DIR +
                    "/tests/appliance/read_mail.py " + shell_quote(maildir.string()));
    EXPECT_EQ(read.exit_code, 0) << read.output.substr(0, 2000);
    std::vector<json> out;
    std::istringstream lines(read.output);
    for (std::string line; read.exit_code == 0 && std::getline(lines, line);)
        out.push_back(json::parse(line));
    return out;
}

std::string CrashLoopAppliance::mailed_path(const std::string& subject_part,
                                            const std::string& first_dn, const std::string& kind,
                                            const std::string& except) const {
    const std::regex url("https://[0-9.:]+(/" + kind + "/[A-Za-z0-9_-]{43}[a-z0-9/]*)");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    do {
        for (const json& mail : mails()) {
            const std::string body = mail.value("body", "");
            std::smatch m;
            if (mail["subject"].get<std::string>().find(subject_part) != std::string::npos &&
                line_after(body, kRule) == first_dn && std::regex_search(body, m, url) &&
                m[1].str() != except)
                return m[1].str();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << "no mail about " << subject_part << " for " << first_dn;
    return "";
}

void CrashLoopAppliance::expect_every_mail_delivered(long long expected_notifications) const {
    EXPECT_EQ(count("SELECT COUNT(*) FROM notifications"), expected_notifications);
    EXPECT_EQ(count("SELECT COUNT(*) FROM notifications WHERE sent_at IS NULL"), 0);
    // What the outbox recorded, keyed as the mails are.
    std::map<MailKey, int> wanted;
    for (const auto& n : table(
             sql("SELECT n.type, n.old_serial_dec IS NOT NULL, n.recipient, COALESCE(n.serial_dec, "
                 "n.subject, (SELECT r.subject_dn FROM issuance_rows r WHERE r.batch_id = "
                 "n.batch_id ORDER BY r.row_no LIMIT 1)) FROM notifications n"))) {
        ASSERT_EQ(n.size(), 4u);
        const MailKind* kind = nullptr;
        for (const auto& k : kMailKinds)
            if (n[0] == k.type && (n[1] == "1") == k.renewal) kind = &k;
        ASSERT_NE(kind, nullptr) << n[0];
        ++wanted[{kind->subject, n[2], n[3]}];
    }
    // What the Maildir holds.
    std::map<MailKey, int> found;
    const std::vector<json> all = mails();
    for (const json& mail : all) {
        const std::string subject = mail["subject"];
        const std::string body = mail.value("body", "");
        for (const auto& k : kMailKinds) {
            if (subject.find(k.subject) == std::string::npos) continue;
            std::string key =
                k.keyed_by_serial ? line_after(body, "シリアル番号】\n") : line_after(body, kRule);
            ++found[{k.subject, mail["to"], key}];
            break;
        }
    }
    size_t duplicates = 0;
    for (const auto& [key, n] : wanted) {
        EXPECT_GE(found[key], n) << "mail lost: " << std::get<0>(key) << " to " << std::get<1>(key)
                                 << " about " << std::get<2>(key);
        if (found[key] > n) duplicates += static_cast<size_t>(found[key] - n);
    }
    std::cout << "mails: " << all.size() << " for " << expected_notifications
              << " notifications, sent again after a crash: " << duplicates << "\n";
}

}  // namespace inkan::test
