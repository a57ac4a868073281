#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "common/error.h"
#include "mail/transport.h"

namespace inkan::mail {
namespace {

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
    const std::string& data;
    size_t offset = 0;
};

size_t read_chunk(char* buffer, size_t size, size_t count, void* user) {
    auto* up = static_cast<Upload*>(user);
    size_t n = std::min(size * count, up->data.size() - up->offset);
    std::memcpy(buffer, up->data.data() + up->offset, n);
    up->offset += n;
    return n;
}

// Addresses go into SMTP commands: no brackets, spaces or line breaks.
std::string checked_address(const std::string& address) {
    if (address.empty() || address.find_first_of("<> \r\n\t") != std::string::npos) {
        throw Error(ErrorCategory::InvalidInput, "mail_address_invalid",
                    "not a mail address: '" + address + "'");
    }
    return "<" + address + ">";
}

}  // namespace

SmtpTransport::SmtpTransport(SmtpSettings settings) : settings_(std::move(settings)) {
    if (settings_.url.rfind("smtp://", 0) != 0 && settings_.url.rfind("smtps://", 0) != 0) {
        throw Error(
            ErrorCategory::InvalidInput, "config_mail_smtp_url",
            "mail.smtp.url must start with smtp:// or smtps://, not '" + settings_.url + "'");
    }
    global_init();
}

std::string SmtpTransport::describe() const { return "smtp " + settings_.url; }

void SmtpTransport::deliver(const Envelope& envelope, const std::string& message) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) throw Error(ErrorCategory::Internal, "curl_init_failed", "curl_easy_init failed");
    std::unique_ptr<curl_slist, SlistDeleter> recipients;
    for (const std::string& to : envelope.to) {
        curl_slist* next = curl_slist_append(recipients.get(), checked_address(to).c_str());
        if (!next) throw Error(ErrorCategory::Internal, "curl_init_failed", "out of memory");
        (void)recipients.release();
        recipients.reset(next);
    }
    Upload upload{message};
    char error[CURL_ERROR_SIZE] = "";
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, checked_address(envelope.from).c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_chunk);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(c, CURLOPT_USE_SSL, settings_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(settings_.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout.count()));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
    if (!settings_.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.str().c_str());
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        throw Error(ErrorCategory::Unavailable, "mail_delivery_failed",
                    "SMTP " + settings_.url + ": " + (error[0] ? error : curl_easy_strerror(rc)));
    }
}

}  // namespace inkan::mail
