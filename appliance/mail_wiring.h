// The notification mails of this appliance: the transport the config names, and
// the outbox that renders, signs (the notification key in the HSM) and sends.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "appliance/services.h"
#include "issuance/notification_outbox.h"
#include "mail/transport.h"

namespace inkan::appliance {

// Maildir (<state>/mail/Maildir) or SMTP, per mail.transport; nullptr for "none".
std::unique_ptr<mail::MailTransport> make_mail_transport(const Config& config);

// public_base_url: where the URLs in mails point (the running server knows its port).
std::unique_ptr<issuance::NotificationOutbox> make_notification_outbox(
    Services& services, mail::MailTransport& transport,
    std::function<std::string()> public_base_url);

}  // namespace inkan::appliance
