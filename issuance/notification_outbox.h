// Sends the mails of the notification events (store::OutboxStore): each event is
// rendered from its template (mail::MailTemplates) with what the store knows of
// its batch, row and certificate, composed and signed (MailComposer), and handed
// to the transport. Marked sent only after the transport accepted it; a failure
// is retried with exponential backoff (retry_base · 2^attempts, at most
// retry_max) and given up (dead) once the event is older than give_up.
//
// Mails and their templates (recipients were chosen when the event was recorded):
//   access_pin_issued     access_pin_issued.txt     the PIN URL (sealed in the event)
//   issuance_accepted     issuance_accepted.txt     the retrieval URL (sealed)
//   download_completed    download_completed.txt, or renewal_completed.txt for a
//                         renewal (new and old serial; the revocation request file
//                         attached when the old certificate was still valid)
//   revocation_completed  revocation_completed.txt  DN, serial, reason as text
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "mail/message.h"
#include "mail/templates.h"
#include "mail/transport.h"

namespace inkan::policy {
class InstitutionRegistry;
}
namespace inkan::store {
class BatchStore;
class CertificateStore;
class OutboxStore;
struct OutboxEntry;
}  // namespace inkan::store

namespace inkan::issuance {

class IssuanceService;

struct OutboxConfig {
    std::string from;                    // the sender address (bare), e.g. inkan@ra.example.ac.jp
    std::string from_name = "Inkan CA";  // display name in From:
    std::function<std::string()> public_base_url;  // where the URLs in mails point
    std::chrono::seconds retry_base{30};
    std::chrono::seconds retry_max{std::chrono::hours(1)};
    std::chrono::seconds give_up{std::chrono::hours(72)};
    size_t batch_size = 50;  // mails per send_due() round
};

// Composes the final RFC 5322 message (S/MIME-signed in the appliance).
using MailComposer = std::function<std::string(const mail::OutgoingMail&)>;

struct SendSummary {
    size_t sent = 0;
    size_t failed = 0;  // retried later
    size_t dead = 0;    // given up now
};

class NotificationOutbox {
  public:
    using Now = std::function<int64_t()>;
    NotificationOutbox(store::OutboxStore& outbox, store::BatchStore& batches,
                       store::CertificateStore& certificates, IssuanceService& issuance,
                       const policy::InstitutionRegistry& institutions,
                       const mail::MailTemplates& templates, MailComposer compose,
                       mail::MailTransport& transport, OutboxConfig config, Now now = {});

    // One round: every due mail (at most config.batch_size), oldest first.
    SendSummary send_due();

    // The mail of one event, rendered (not composed or sent). with_urls false
    // (`inkan mail show`): a URL reads "(withheld ...)", it is for its recipient only.
    mail::OutgoingMail render(const store::OutboxEntry& entry, bool with_urls = true) const;

  private:
    store::OutboxStore& outbox_;
    store::BatchStore& batches_;
    store::CertificateStore& certificates_;
    IssuanceService& issuance_;
    const policy::InstitutionRegistry& institutions_;
    const mail::MailTemplates& templates_;
    MailComposer compose_;
    mail::MailTransport& transport_;
    OutboxConfig config_;
    Now now_;
};

}  // namespace inkan::issuance
