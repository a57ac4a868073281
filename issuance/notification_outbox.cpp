#include "issuance/notification_outbox.h"

#include <algorithm>
#include <ctime>
#include <map>

#include "common/error.h"
#include "common/log.h"
#include "common/utc_time.h"
#include "issuance/issuance_service.h"
#include "issuance/retrieval_urls.h"
#include "policy/institution.h"
#include "policy/subject_dn.h"
#include "store/batch_store.h"
#include "store/certificate_store.h"
#include "store/outbox_store.h"

namespace inkan::issuance {
namespace {

using Fields = std::map<std::string, std::string>;

std::string utc_time(int64_t unix_seconds) { return utc_text(unix_seconds, "%Y-%m-%d %H:%M UTC"); }

// The manual's form: one RDN a line (CN, each OU, O, L, ST, C).
std::string dn_lines(const std::string& dn) {
    auto parsed = policy::parse_subject_dn(dn, 0);
    if (!parsed.dn) return dn;
    const policy::SubjectDn& d = *parsed.dn;
    std::string out = "CN=" + d.cn + "\n";
    for (const auto& ou : d.ou) out += "OU=" + ou + "\n";
    out += "O=" + d.o + "\n";
    if (d.l) out += "L=" + *d.l + "\n";
    if (d.st) out += "ST=" + *d.st + "\n";
    return out + "C=" + d.c;
}

std::pair<std::string, std::string> reason_text(int64_t reason) {
    switch (reason) {
        case 1:
            return {"鍵の危殆化", "key compromise"};
        case 3:
            return {"所属の変更", "affiliation changed"};
        case 4:
            return {"証明書の更新", "superseded"};
        case 5:
            return {"利用の停止", "cessation of operation"};
        default:
            return {"その他", "unspecified"};
    }
}

int64_t system_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

NotificationOutbox::NotificationOutbox(store::OutboxStore& outbox, store::BatchStore& batches,
                                       store::CertificateStore& certificates,
                                       IssuanceService& issuance,
                                       const policy::InstitutionRegistry& institutions,
                                       const mail::MailTemplates& templates, MailComposer compose,
                                       mail::MailTransport& transport, OutboxConfig config, Now now)
    : outbox_(outbox),
      batches_(batches),
      certificates_(certificates),
      issuance_(issuance),
      institutions_(institutions),
      templates_(templates),
      compose_(std::move(compose)),
      transport_(transport),
      config_(std::move(config)),
      now_(now ? std::move(now) : Now(system_now)) {}

mail::OutgoingMail NotificationOutbox::render(const store::OutboxEntry& entry,
                                              bool with_urls) const {
    const store::NotificationRecord& e = entry.event;
    Fields f;
    std::string institution;
    std::optional<store::BatchRecord> batch = batches_.find_batch(e.batch_id);
    if (batch) institution = batch->institution;
    std::optional<store::CertificateRecord> certificate;
    if (e.serial_hex) certificate = certificates_.find(*e.serial_hex);
    if (institution.empty() && certificate && certificate->institution)
        institution = *certificate->institution;
    auto registered = institutions_.find_by_name(institution);
    f["institution"] = institution;
    f["locality"] = registered && registered->locality ? *registered->locality : "";
    f["state"] = registered && registered->state ? *registered->state : "";
    f["subject_dn_lines"] = e.subject ? dn_lines(*e.subject) : "";
    f["serial"] = e.serial_dec.value_or("");

    mail::OutgoingMail m;
    std::string name = e.type;
    if (e.type == "access_pin_issued" || e.type == "issuance_accepted") {
        if (!batch) {
            throw Error(ErrorCategory::Internal, "notification_batch_missing",
                        "the batch " + e.batch_id + " of notification " + std::to_string(e.id) +
                            " is not in the store");
        }
        auto token = with_urls ? issuance_.notification_url_token(e)
                               : std::optional<std::string>("(withheld: for its recipient only)");
        if (!token) {
            throw Error(ErrorCategory::Internal, "notification_token_missing",
                        "notification " + std::to_string(e.id) + " holds no URL");
        }
        const std::string base = config_.public_base_url();
        f["url"] = e.type == "access_pin_issued"
                       ? pin_url(base, *token)
                       : retrieval_url(
                             base, static_cast<policy::DownloadType>(batch->download_type), *token);
        f["url_expires"] = utc_time(batch->expires_at);
        f["batch_id"] = batch->id;
        auto rows = batches_.rows(batch->id);
        f["rows"] = std::to_string(rows.size());
        if (!e.subject) {  // a P12-bulk batch: every row's DN, one a line
            std::string all;
            for (const auto& r : rows) all += (all.empty() ? "" : "\n") + r.subject_dn;
            f["subject_dn_lines"] = all;
        }
    } else if (e.type == "download_completed" && e.old_serial_dec) {
        name = "renewal_completed";
        f["old_serial"] = *e.old_serial_dec;
        f["revocation_file_note"] =
            e.attachment.empty()
                ? "旧証明書は失効済みまたは有効期限切れのため、失効申請TSVファイルは添付していませ"
                  "ん。"
                : "旧証明書の失効申請TSVファイルを添付しています。置き換え完了の報告を受けた後に、"
                  "そのまま失効申請としてアップロードしてください。";
        if (!e.attachment.empty()) {
            m.attachments.push_back({"revoke-" + *e.old_serial_dec + ".tsv",
                                     "text/tab-separated-values; charset=Shift_JIS", e.attachment});
        }
    } else if (e.type == "revocation_completed") {
        auto [ja, en] = reason_text(certificate ? certificate->revocation_reason.value_or(0) : 0);
        f["reason_ja"] = ja;
        f["reason_en"] = en;
    } else if (e.type != "download_completed") {
        throw Error(ErrorCategory::Internal, "notification_type_unknown",
                    "no mail for notification type '" + e.type + "'");
    }
    mail::RenderedText text = templates_.render(name, f);
    m.from =
        config_.from_name.empty() ? config_.from : config_.from_name + " <" + config_.from + ">";
    m.to = {e.recipient};
    m.subject = std::move(text.subject);
    m.body = std::move(text.body);
    return m;
}

SendSummary NotificationOutbox::send_due() {
    SendSummary summary;
    const int64_t now = now_();
    for (const store::OutboxEntry& entry : outbox_.due(now, config_.batch_size)) {
        const int64_t id = entry.event.id;
        if (entry.event.recipient.empty()) {  // retrying cannot help: visible as dead at once
            outbox_.record_failure(id,
                                   "no recipient address (an operator without a mail address: "
                                   "add one with `inkan operator add --email`)",
                                   now, true, now);
            ++summary.dead;
            continue;
        }
        try {
            mail::OutgoingMail m = render(entry);
            std::string message = compose_(m);
            transport_.deliver({config_.from, m.to}, message);
            outbox_.mark_sent(id, now_());
            ++summary.sent;
        } catch (const std::exception& ex) {
            const int shift = std::min(entry.attempts, 20);
            const auto delay =
                std::min<int64_t>(config_.retry_base.count() << shift, config_.retry_max.count());
            const bool dead = now - entry.event.created_at >= config_.give_up.count();
            outbox_.record_failure(id, ex.what(), now + delay, dead, now);
            log::warn(dead ? "mail given up" : "mail failed", {{"mail_id", id},
                                                               {"event", entry.event.type},
                                                               {"recipient", entry.event.recipient},
                                                               {"retry_in_s", dead ? 0 : delay},
                                                               {"cause", ex.what()}});
            ++(dead ? summary.dead : summary.failed);
        }
    }
    return summary;
}

}  // namespace inkan::issuance
