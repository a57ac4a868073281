// Delivering a composed mail: into a Maildir folder (the embedded default, read
// by any mail client) or to an SMTP server (libcurl: STARTTLS, AUTH, timeouts).
// deliver() returns only once the mail was accepted (the file is in new/, or the
// server answered 250 to the end of DATA); any failure throws
// Error(Unavailable, "mail_delivery_failed") with the cause, and the caller
// retries later.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/secret.h"

namespace inkan::mail {

struct Envelope {
    std::string from;  // bare address (MAIL FROM)
    std::vector<std::string> to;
};

class MailTransport {
  public:
    virtual ~MailTransport() = default;
    virtual void deliver(const Envelope& envelope, const std::string& message) = 0;
    virtual std::string describe() const = 0;  // e.g. "maildir /var/lib/inkan/mail/Maildir"
};

// Maildir (tmp/, new/, cur/ made if missing): written to tmp/, fsynced, renamed
// into new/ (atomic: a reader never sees half a mail).
class MaildirTransport final : public MailTransport {
  public:
    explicit MaildirTransport(std::filesystem::path root);
    void deliver(const Envelope& envelope, const std::string& message) override;
    std::string describe() const override;

  private:
    std::filesystem::path root_;
};

struct SmtpSettings {
    std::string url;           // smtp://host[:port] (STARTTLS if offered) or smtps://host[:port]
    bool require_tls = false;  // smtp://: refuse to send when STARTTLS is not offered
    std::string username;      // empty: no AUTH
    SecretString password;
    std::string ca_file;  // trust anchors for the server's TLS certificate; empty: system
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds timeout{60};  // the whole transaction
};

class SmtpTransport final : public MailTransport {
  public:
    explicit SmtpTransport(SmtpSettings settings);
    void deliver(const Envelope& envelope, const std::string& message) override;
    std::string describe() const override;

  private:
    SmtpSettings settings_;
};

}  // namespace inkan::mail
