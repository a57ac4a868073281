// Issue 9 acceptance for the mails, over real HTTPS with a whole appliance on
// SoftHSM: every mail in the Maildir verifies with `openssl smime -verify`, its
// Subject and body decode to the expected Japanese with Python's email package,
// the URLs in the mails work, the renewal mail's attachment uploaded unchanged
// revokes the old certificate, and with the SMTP server down mails stay queued
// and are delivered exactly once when it returns (Debian's aiosmtpd).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "common/bytes.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/process.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;
using test::path_of;
using test::row;
namespace fs = std::filesystem;

namespace {

// The mail files of a Maildir (new/), oldest first by name.
std::vector<fs::path> mails_in(const fs::path& maildir) {
    std::vector<fs::path> out;
    if (!fs::exists(maildir / "new")) return out;
    for (const auto& e : fs::directory_iterator(maildir / "new")) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<fs::path> wait_for_mails(const fs::path& maildir, size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (mails_in(maildir).size() < n && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return mails_in(maildir);
}

json read_mail(const fs::path& file) {
    auto r = test::run(std::string("/usr/bin/python3 ") + INKAN_SOURCE_DIR +
                       "/tests/appliance/read_mail.py " + test::shell_quote(file.string()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return json::parse(r.output);
}

class Mail : public ::testing::Test {
  protected:
    std::string ca() const { return f->config().ca_certificate_path().string(); }
    fs::path maildir() const { return f->config().maildir_path(); }

    // Every new mail (after the `seen` first ones): verified, then decoded.
    std::vector<json> next_mails(size_t count) {
        auto files = wait_for_mails(maildir(), seen + count);
        EXPECT_EQ(files.size(), seen + count);
        std::vector<json> out;
        for (size_t i = seen; i < files.size(); ++i) {
            auto verify = test::run("openssl smime -verify -CAfile " + ca() + " -in " +
                                    test::shell_quote(files[i].string()) + " -out /dev/null");
            EXPECT_EQ(verify.exit_code, 0) << files[i] << "\n" << verify.output;
            out.push_back(read_mail(files[i]));
        }
        seen = files.size();
        return out;
    }
    static const json& to(const std::vector<json>& mails, const std::string& recipient,
                          const std::string& subject_part) {
        for (const auto& m : mails)
            if (m["to"] == recipient &&
                m["subject"].get<std::string>().find(subject_part) != std::string::npos)
                return m;
        static const json none;
        ADD_FAILURE() << "no mail to " << recipient << " about " << subject_part;
        return none;
    }
    static std::string url_in(const json& mail, const std::string& kind) {
        std::smatch m;
        std::string body = mail.value("body", "");
        std::regex re("https://[0-9.:]+(/" + kind + "/[A-Za-z0-9_-]{43}[a-z0-9/]*)");
        return std::regex_search(body, m, re) ? m[1].str() : "";
    }

    json upload(const std::string& action, const std::string& body) {
        auto r = f->operator_client().post("/api/v1/requests?action=" + action + "&on_error=abort",
                                           body, "text/tab-separated-values");
        EXPECT_EQ(r.status, 201) << r.body.substr(0, 2000);
        return json::parse(r.body);
    }

    // Fetches the PIN from the PIN mail and downloads with the retrieval mail;
    // returns the download-completed (or renewal) mail to the RA operator.
    json download_from_mails(const std::string& completed_subject) {
        auto mails = next_mails(2);
        const json& pin_mail = to(mails, "admin@example.ac.jp", "アクセスPIN発行通知");
        const json& retrieval_mail = to(mails, "user7@example.ac.jp", "発行受付通知");
        EXPECT_EQ(pin_mail["content_type"], "multipart/signed");
        EXPECT_EQ(pin_mail["protocol"], "application/pkcs7-signature");
        EXPECT_EQ(pin_mail["signature_type"], "application/pkcs7-signature");
        EXPECT_NE(pin_mail["body"].get<std::string>().find("アクセスPINを取得してください"),
                  std::string::npos);
        auto page = f->public_client().post(url_in(pin_mail, "pin"), "");
        EXPECT_EQ(page.status, 200) << page.body;
        std::string pin = json::parse(page.body)["entries"][0]["pin"];
        auto p12 = f->public_client().post(url_in(retrieval_mail, "download"),
                                           json{{"pin", pin}}.dump(), "application/json");
        EXPECT_EQ(p12.status, 200) << p12.body;
        return to(next_mails(1), "op1@example.ac.jp", completed_subject);
    }

    std::unique_ptr<test::ApplianceFixture> f;
    size_t seen = 0;
};

TEST_F(Mail, EveryMailIsSignedAndDecodesAndTheRenewalAttachmentRevokesTheOldCertificate) {
    f = std::make_unique<test::ApplianceFixture>(
        test::ApplianceOptions{.issuance = true, .mail_transport = "maildir"});
    auto accepted = upload("issue", row("Mail Hanako"));
    // Each secret travels on its own channel only: the answer holds no URL.
    EXPECT_EQ(accepted["urls_sent_by_mail"], true);
    EXPECT_FALSE(accepted["rows"][0].contains("pin_url"));
    EXPECT_FALSE(accepted["rows"][0].contains("retrieval_url"));
    EXPECT_EQ(accepted.dump().find("/download/"), std::string::npos);

    json done = download_from_mails("クライアント証明書取得通知");
    std::string body = done["body"];
    EXPECT_NE(body.find("--------------------------------------------\nCN=Mail Hanako\nOU=7\n"
                        "O=Example University\nL=Chiyoda-ku\nST=Tokyo\nC=JP\n"),
              std::string::npos)
        << body;
    std::smatch serial;
    ASSERT_TRUE(std::regex_search(body, serial, std::regex("シリアル番号】\n([0-9]+)")));
    const std::string old_serial = serial[1];

    upload("renew", row("Mail Hanako", old_serial));
    json renewed = download_from_mails("クライアント証明書更新通知");
    EXPECT_NE(renewed["body"].get<std::string>().find("【旧証明書のシリアル番号】\n" + old_serial),
              std::string::npos);
    ASSERT_EQ(renewed["attachments"].size(), 1u) << renewed.dump(1);
    std::string file =
        inkan::to_string(ByteView(hex_decode(renewed["attachments"][0]["hex"].get<std::string>())));
    auto revoked = upload("revoke", file);
    ASSERT_EQ(revoked["revoked"].size(), 1u) << revoked.dump(1);
    EXPECT_EQ(revoked["revoked"][0]["serial"], old_serial);
    // The revocation-completed mail, to the RA operator and the subscriber admin.
    auto last = next_mails(3);
    EXPECT_NE(to(last, "op1@example.ac.jp", "失効完了通知")["body"].get<std::string>().find(
                  "証明書の更新"),
              std::string::npos);
    to(last, "admin@example.ac.jp", "失効完了通知");
}

uint16_t free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

TEST_F(Mail, WithTheSmtpServerDownMailsWaitAndAreDeliveredOnceWhenItReturns) {
    const uint16_t port = free_port();
    f = std::make_unique<test::ApplianceFixture>(
        test::ApplianceOptions{.issuance = true,
                               .mail_transport = "smtp",
                               .mail_smtp_url = "smtp://127.0.0.1:" + std::to_string(port)});
    upload("issue", row("Smtp Jiro"));
    auto& outbox = *f->services().outbox;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        auto queued = outbox.list(store::MailState::Queued, 10);
        if (queued.size() == 2 && queued[0].attempts >= 1 && queued[1].attempts >= 1) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto queued = outbox.list(store::MailState::Queued, 10);
    ASSERT_EQ(queued.size(), 2u);
    EXPECT_GE(queued[0].attempts, 1);
    EXPECT_NE(queued[0].last_error.value_or("").find("SMTP"), std::string::npos);

    test::TempDir received;
    test::Process server({"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                          "127.0.0.1:" + std::to_string(port), "-c", "aiosmtpd.handlers.Mailbox",
                          (received.path() / "box").string()});
    auto mails = wait_for_mails(received.path() / "box", 2);
    ASSERT_EQ(mails.size(), 2u) << server.output();
    std::this_thread::sleep_for(std::chrono::seconds(3));  // retries would show up by now
    EXPECT_EQ(mails_in(received.path() / "box").size(), 2u) << "each delivered exactly once";
    EXPECT_EQ(outbox.counts()[store::MailState::Sent], 2u);
    // The outbox in the API: service admins only; the RA operator of an
    // institution sees no mail of anyone.
    auto refused = f->operator_client().get("/api/v1/outbox");
    EXPECT_EQ(refused.status, 403) << refused.body;
    auto admin = f->add_operator("admin1", "Example University", store::OperatorRole::ServiceAdmin);
    auto shown = f->client_for(admin).get("/api/v1/outbox?state=sent");
    ASSERT_EQ(shown.status, 200) << shown.body;
    auto view = json::parse(shown.body);
    EXPECT_EQ(view["counts"]["sent"], 2);
    EXPECT_EQ(view["mails"].size(), 2u);
    EXPECT_EQ(shown.body.find("/download/"), std::string::npos) << "no content, no URL";
    for (const auto& m : mails) {
        auto verify = test::run("openssl smime -verify -CAfile " + ca() + " -in " +
                                test::shell_quote(m.string()) + " -out /dev/null");
        EXPECT_EQ(verify.exit_code, 0) << verify.output;
    }
}

}  // namespace
