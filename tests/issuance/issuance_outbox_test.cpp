// The notification outbox: every event becomes a mail rendered from its editable
// template, delivered once, retried with backoff and given up (dead) when its
// transport keeps failing. The S/MIME composition is checked in the appliance
// tests; here a plain composer stands in so the outbox's own rules are in view.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "common/error.h"
#include "issuance/notification_outbox.h"
#include "mail/transport.h"
#include "store/sqlite_outbox_store.h"
#include "tests/issuance/issuance_world.h"

namespace inkan::test {
namespace {

// Headers and body as they were rendered (what the outbox decided), no signature.
std::string plain_compose(const mail::OutgoingMail& m) {
    std::string out =
        "From: " + m.from + "\nTo: " + m.to.at(0) + "\nSubject: " + m.subject + "\n\n" + m.body;
    for (const auto& a : m.attachments) out += "\n[attachment " + a.file_name + "]\n" + a.content;
    return out;
}

// Records what it delivered; fails while `failures` > 0.
class RecordingTransport final : public mail::MailTransport {
  public:
    void deliver(const mail::Envelope& envelope, const std::string& message) override {
        if (failures > 0) {
            --failures;
            throw Error(ErrorCategory::Unavailable, "mail_delivery_failed", "server down (test)");
        }
        delivered.push_back({envelope, message});
    }
    std::string describe() const override { return "recording"; }
    int failures = 0;
    std::vector<std::pair<mail::Envelope, std::string>> delivered;
};

struct OutboxWorld {
    IssuanceWorld w;
    store::SqliteOutboxStore outbox{*w.database};
    mail::MailTemplates templates{w.dir.path() / "templates"};
    RecordingTransport transport;
    std::atomic<int64_t> clock{store::unix_now()};
    std::unique_ptr<issuance::NotificationOutbox> sender;
    OutboxWorld() {
        templates.install_defaults();
        issuance::OutboxConfig c;
        c.from = "inkan@example.ac.jp";
        c.public_base_url = [] { return std::string("https://ra.example.ac.jp"); };
        c.retry_base = std::chrono::seconds(10);
        c.retry_max = std::chrono::seconds(60);
        c.give_up = std::chrono::seconds(300);
        sender = std::make_unique<issuance::NotificationOutbox>(
            outbox, *w.batches, *w.certificates, *w.service, w.policy.registry, templates,
            plain_compose, transport, c, [this] { return clock.load(); });
    }
};

// Uploads one P12-individual row for `cn` and downloads it (PIN from the PIN page).
issuance::DownloadedFile upload_and_download(OutboxWorld& o, const std::string& cn) {
    RowSpec row;
    row.cn = cn;
    auto batch = o.w.submit(request_line(row));
    auto pin = o.w.service->view_pins(*batch.rows.at(0).pin_token).entries.at(0).pin;
    return o.w.service->download_p12(*batch.rows[0].retrieval_token, pin);
}

std::string url_in(const std::string& message, const std::string& kind) {
    std::smatch m;
    std::regex re("https://ra\\.example\\.ac\\.jp/" + kind + "/([A-Za-z0-9_-]{43})");
    if (!std::regex_search(message, m, re)) return "";
    return m[1];
}

TEST(IssuanceOutbox, UploadMailsCarryWorkingUrlsToTheirRecipientsOnceEach) {
    OutboxWorld o;
    RowSpec row;
    row.cn = "Mail Taro";
    auto batch = o.w.submit(request_line(row));
    ASSERT_EQ(batch.status, "accepted");
    auto summary = o.sender->send_due();
    EXPECT_EQ(summary.sent, 2u);
    ASSERT_EQ(o.transport.delivered.size(), 2u);
    const auto& pin_mail = o.transport.delivered[0];
    EXPECT_EQ(pin_mail.first.to, std::vector<std::string>{"admin@example.ac.jp"});
    EXPECT_EQ(pin_mail.first.from, "inkan@example.ac.jp");
    EXPECT_NE(pin_mail.second.find("Subject: [UPKI] アクセスPIN発行通知"), std::string::npos);
    std::string pin_token = url_in(pin_mail.second, "pin");
    EXPECT_EQ(pin_token, *batch.rows[0].pin_token) << pin_mail.second;
    EXPECT_NE(pin_mail.second.find("CN=Mail Taro\nOU=1001\nO=Example University"),
              std::string::npos)
        << "one RDN a line";
    const auto& retrieval_mail = o.transport.delivered[1];
    EXPECT_EQ(retrieval_mail.first.to, std::vector<std::string>{"taro@example.ac.jp"});
    EXPECT_EQ(url_in(retrieval_mail.second, "download"), *batch.rows[0].retrieval_token);
    // Sent once: a second round sends nothing.
    EXPECT_EQ(o.sender->send_due().sent, 0u);
    EXPECT_EQ(o.outbox.counts()[store::MailState::Sent], 2u);
}

TEST(IssuanceOutbox, FailuresAreRetriedWithBackoffThenGivenUpAndRevivedByRetry) {
    OutboxWorld o;
    RowSpec row;
    row.cn = "Mail Backoff";
    o.w.submit(request_line(row));
    o.transport.failures = 1000;
    const int64_t start = o.clock;
    EXPECT_EQ(o.sender->send_due().failed, 2u);
    auto first = o.outbox.list(store::MailState::Queued, 10);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].attempts, 1);
    EXPECT_EQ(first[0].next_attempt_at, start + 10);
    EXPECT_NE(first[0].last_error->find("server down"), std::string::npos);
    EXPECT_EQ(o.sender->send_due().failed, 0u) << "not due yet";
    o.clock += 10;
    o.sender->send_due();
    EXPECT_EQ(o.outbox.find(first[0].event.id)->next_attempt_at, start + 10 + 20);
    o.clock += 1000;  // past give_up
    EXPECT_EQ(o.sender->send_due().dead, 2u);
    EXPECT_EQ(o.outbox.counts()[store::MailState::Dead], 2u);
    o.clock += 1000;
    EXPECT_EQ(o.sender->send_due().sent + o.sender->send_due().failed, 0u) << "dead stays dead";

    o.transport.failures = 0;
    EXPECT_EQ(o.outbox.retry(std::nullopt, o.clock), 2u);
    EXPECT_EQ(o.sender->send_due().sent, 2u);
    EXPECT_EQ(o.transport.delivered.size(), 2u) << "each delivered exactly once";
}

TEST(IssuanceOutbox, RenewalAndRevocationMailsAndEditedTemplates) {
    OutboxWorld o;
    auto old = upload_and_download(o, "Mail Renew");
    RowSpec row;
    row.cn = "Mail Renew";
    row.renews = old.serial;
    auto renewal = o.w.service->submit(o.w.op, request_line(row), policy::Action::Renew,
                                       policy::ErrorMode::Abort, o.w.context());
    ASSERT_EQ(renewal.status, "accepted") << renewal.report.dump(1);
    auto pin2 = o.w.service->view_pins(*renewal.rows[0].pin_token).entries.at(0).pin;
    auto renewed = o.w.service->download_p12(*renewal.rows[0].retrieval_token, pin2);
    o.sender->send_due();
    std::string renewal_mail;
    for (const auto& [envelope, message] : o.transport.delivered)
        if (message.find("クライアント証明書更新通知") != std::string::npos) renewal_mail = message;
    ASSERT_FALSE(renewal_mail.empty());
    EXPECT_NE(renewal_mail.find("【新証明書シリアル番号】\n" + renewed.serial), std::string::npos);
    EXPECT_NE(renewal_mail.find("【旧証明書のシリアル番号】\n" + old.serial), std::string::npos);
    EXPECT_NE(renewal_mail.find("[attachment revoke-" + old.serial + ".tsv]"), std::string::npos);

    // An operator edits a template: the next mail follows it; a typo is refused, kept, retried.
    std::ofstream(o.templates.folder() / "revocation_completed.txt")
        << "Subject: Revoked {{serial}}\n\nReason {{reason_en}} ({{reason_ja}}) at {{locality}}.\n";
    auto revoked = o.w.service->revoke_by_mail(o.w.op, "taro@example.ac.jp", 3, "");
    ASSERT_EQ(revoked.revoked.size(), 2u);
    size_t before = o.transport.delivered.size();
    o.sender->send_due();
    ASSERT_GT(o.transport.delivered.size(), before);
    const std::string& last = o.transport.delivered.back().second;
    EXPECT_NE(last.find("Subject: Revoked "), std::string::npos) << last;
    EXPECT_NE(last.find("Reason affiliation changed (所属の変更) at Chiyoda-ku."),
              std::string::npos)
        << last;

    std::ofstream(o.templates.folder() / "download_completed.txt")
        << "Subject: Downloaded\n\n{{no_such_field}}\n";
    upload_and_download(o, "Mail Typo");
    auto summary = o.sender->send_due();
    EXPECT_EQ(summary.failed, 1u);
    EXPECT_EQ(summary.sent, 2u) << "the typo holds back its own mail only";
    auto queued = o.outbox.list(store::MailState::Queued, 10);
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(queued[0].event.type, "download_completed");
    EXPECT_NE(queued[0].last_error->find("no_such_field"), std::string::npos);
}

TEST(IssuanceOutbox, AMailWithoutRecipientIsDeadAtOnceWithItsReason) {
    OutboxWorld o;
    o.w.op.email = "";  // an operator on record from before --email was required
    upload_and_download(o, "Mail Nobody");
    auto summary = o.sender->send_due();
    EXPECT_EQ(summary.sent, 2u);
    EXPECT_EQ(summary.dead, 1u);
    auto dead = o.outbox.list(store::MailState::Dead, 10);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].event.type, "download_completed");
    EXPECT_NE(dead[0].last_error->find("--email"), std::string::npos);
}

}  // namespace
}  // namespace inkan::test
