#include "appliance/mail_wiring.h"

#include "mail/message.h"

namespace inkan::appliance {

std::unique_ptr<mail::MailTransport> make_mail_transport(const Config& config) {
    const MailSettings& m = config.mail;
    if (m.transport == "maildir")
        return std::make_unique<mail::MaildirTransport>(config.maildir_path());
    if (m.transport != "smtp") return nullptr;
    mail::SmtpSettings smtp;
    smtp.url = m.smtp_url;
    smtp.require_tls = m.smtp_require_tls;
    smtp.username = m.smtp_username;
    smtp.password = config.smtp_password;
    smtp.ca_file = m.smtp_ca_file;
    smtp.timeout = std::chrono::seconds(m.smtp_timeout_seconds);
    return std::make_unique<mail::SmtpTransport>(std::move(smtp));
}

std::unique_ptr<issuance::NotificationOutbox> make_notification_outbox(
    Services& s, mail::MailTransport& transport, std::function<std::string()> public_base_url) {
    const MailSettings& m = s.config.mail;
    issuance::OutboxConfig oc;
    oc.from = m.from;
    oc.from_name = m.from_name;
    oc.public_base_url = std::move(public_base_url);
    oc.retry_base = std::chrono::seconds(m.retry_base_seconds);
    oc.retry_max = std::chrono::seconds(m.retry_max_seconds);
    oc.give_up = std::chrono::hours(m.give_up_hours);
    mail::MailSigner& signer = s.mail_signer();
    return std::make_unique<issuance::NotificationOutbox>(
        *s.outbox, *s.batches, *s.certificates, *s.issuance, s.policy->registry(),
        *s.mail_templates,
        [&signer](const mail::OutgoingMail& mail) { return mail::compose_signed(mail, signer); },
        transport, std::move(oc));
}

}  // namespace inkan::appliance
