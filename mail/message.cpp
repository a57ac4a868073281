#include "mail/message.h"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "common/error.h"
#include "mail/gobject_ptr.h"

namespace inkan::mail {
namespace {

[[noreturn]] void invalid(const char* code, const std::string& message) {
    throw Error(ErrorCategory::InvalidInput, code, message);
}

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Parses one or more addresses; every one must be a mailbox (no groups).
GObjectPtr<InternetAddressList> parse_mailboxes(const std::string& text, const char* code) {
    GObjectPtr<InternetAddressList> list(internet_address_list_parse(nullptr, text.c_str()));
    if (!list || internet_address_list_length(list.get()) == 0)
        invalid(code, "no address in '" + text + "'");
    for (int i = 0; i < internet_address_list_length(list.get()); ++i) {
        InternetAddress* address = internet_address_list_get_address(list.get(), i);
        if (!INTERNET_ADDRESS_IS_MAILBOX(address) ||
            std::string(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)))
                    .find('@') == std::string::npos)
            invalid(code, "'" + text + "' is not a mail address");
    }
    return list;
}

std::string mailbox_address(InternetAddressList* list) {
    return lowercase(internet_address_mailbox_get_addr(
        INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(list, 0))));
}

// RFC 5322 text is canonical with CRLF line ends (RFC 8551 3.1.1); the body is
// sent base64, so it is canonicalised before encoding.
std::string crlf_lines(const std::string& text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        if (text[i] == '\n') out += '\r';
        out += text[i];
    }
    return out;
}

GObjectPtr<GMimeDataWrapper> wrap_bytes(const void* data, size_t size) {
    GObjectPtr<GMimeStream> stream(
        g_mime_stream_mem_new_with_buffer(static_cast<const char*>(data), size));
    return GObjectPtr<GMimeDataWrapper>(
        g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
}

GObjectPtr<GMimeObject> text_part(const std::string& body) {
    GObjectPtr<GMimeTextPart> text(g_mime_text_part_new_with_subtype("plain"));
    std::string canonical = crlf_lines(body);
    auto content = wrap_bytes(canonical.data(), canonical.size());
    g_mime_part_set_content(GMIME_PART(text.get()), content.get());
    g_mime_text_part_set_charset(text.get(), "UTF-8");
    g_mime_part_set_content_encoding(GMIME_PART(text.get()), GMIME_CONTENT_ENCODING_BASE64);
    return GObjectPtr<GMimeObject>(GMIME_OBJECT(text.release()));
}

GObjectPtr<GMimeObject> attachment_part(const Attachment& attachment) {
    std::string type =
        attachment.content_type.empty() ? "application/octet-stream" : attachment.content_type;
    GObjectPtr<GMimeContentType> content_type(g_mime_content_type_parse(nullptr, type.c_str()));
    if (!content_type || !g_mime_content_type_get_media_type(content_type.get()) ||
        !g_mime_content_type_get_media_subtype(content_type.get()))
        invalid("mail_attachment_invalid", "'" + type + "' is not a content type");
    GObjectPtr<GMimePart> part(g_mime_part_new());
    g_mime_object_set_content_type(GMIME_OBJECT(part.get()), content_type.get());
    if (!attachment.file_name.empty())
        g_mime_part_set_filename(part.get(), attachment.file_name.c_str());
    auto content = wrap_bytes(attachment.content.data(), attachment.content.size());
    g_mime_part_set_content(part.get(), content.get());
    g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
    return GObjectPtr<GMimeObject>(GMIME_OBJECT(part.release()));
}

GObjectPtr<GMimeObject> content_part(const OutgoingMail& mail) {
    auto text = text_part(mail.body);
    if (mail.attachments.empty()) return text;
    GObjectPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), text.get());
    for (const auto& attachment : mail.attachments)
        g_mime_multipart_add(mixed.get(), attachment_part(attachment).get());
    return GObjectPtr<GMimeObject>(GMIME_OBJECT(mixed.release()));
}

GObjectPtr<GMimeObject> signature_part(ByteView cms_der) {
    GObjectPtr<GMimePart> part(g_mime_part_new_with_type("application", "pkcs7-signature"));
    g_mime_part_set_filename(part.get(), "smime.p7s");
    auto content = wrap_bytes(cms_der.data(), cms_der.size());
    g_mime_part_set_content(part.get(), content.get());
    g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
    return GObjectPtr<GMimeObject>(GMIME_OBJECT(part.release()));
}

std::string write_crlf(GMimeObject* object) {
    FormatOptionsPtr options(g_mime_format_options_new());
    g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
    GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new());
    if (g_mime_object_write_to_stream(object, options.get(), stream.get()) < 0)
        throw Error(ErrorCategory::Internal, "mail_write_failed", "GMime could not write the mail");
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
    return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// The first body part of the multipart with `boundary` exactly as it stands in
// `message`: after "--boundary CRLF", up to the CRLF that starts the next
// delimiter (RFC 2046 5.1.1: that CRLF belongs to the delimiter).
std::string first_part(const std::string& message, const std::string& boundary) {
    const std::string open = "\r\n--" + boundary + "\r\n";
    size_t start = message.find(open);
    size_t end =
        start == std::string::npos ? start : message.find("\r\n--" + boundary, start + open.size());
    if (end == std::string::npos)
        throw Error(ErrorCategory::Internal, "mail_write_failed",
                    "the signed part is not delimited in the written mail");
    start += open.size();
    return message.substr(start, end - start);
}

DateTimePtr date_of(pki::TimePoint now) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    return DateTimePtr(g_date_time_new_from_unix_utc(seconds));
}

std::string message_id_of(const OutgoingMail& mail, const std::string& from_address) {
    if (mail.message_id.empty()) {
        GCharPtr id(g_mime_utils_generate_message_id(
            from_address.substr(from_address.find('@') + 1).c_str()));
        return id.get();
    }
    std::string id = mail.message_id;
    if (id.size() > 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
    if (id.find('@') == std::string::npos || id.find_first_of("<> \t\r\n") != std::string::npos)
        invalid("mail_message_id_invalid", "Message-ID must look like <local@domain>");
    return id;
}

}  // namespace

void ensure_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string compose_signed(const OutgoingMail& mail, MailSigner& signer) {
    return compose_signed(mail, signer, std::chrono::system_clock::now());
}

std::string compose_signed(const OutgoingMail& mail, MailSigner& signer, pki::TimePoint now) {
    ensure_gmime();
    GObjectPtr<GMimeMessage> message(g_mime_message_new(TRUE));
    auto from =
        parse_mailboxes(mail.from.empty() ? signer.address() : mail.from, "mail_from_invalid");
    if (internet_address_list_length(from.get()) != 1 ||
        mailbox_address(from.get()) != signer.address())
        invalid("mail_from_mismatch",
                "From must be the signing certificate's address " + signer.address());
    internet_address_list_append(g_mime_message_get_from(message.get()), from.get());
    if (mail.to.empty()) invalid("mail_recipient_invalid", "a mail needs a recipient");
    for (const auto& to : mail.to) {
        auto recipients = parse_mailboxes(to, "mail_recipient_invalid");
        internet_address_list_append(
            g_mime_message_get_addresses(message.get(), GMIME_ADDRESS_TYPE_TO), recipients.get());
    }
    if (mail.subject.find_first_of("\r\n") != std::string::npos)
        invalid("mail_subject_invalid", "the subject must be one line");
    g_mime_message_set_subject(message.get(), mail.subject.c_str(), "UTF-8");
    g_mime_message_set_date(message.get(), date_of(now).get());
    g_mime_message_set_message_id(message.get(),
                                  message_id_of(mail, mailbox_address(from.get())).c_str());

    GObjectPtr<GMimeMultipart> multipart_signed(g_mime_multipart_new_with_subtype("signed"));
    GMimeObject* outer = GMIME_OBJECT(multipart_signed.get());
    g_mime_object_set_content_type_parameter(outer, "protocol", "application/pkcs7-signature");
    g_mime_object_set_content_type_parameter(outer, "micalg", signer.micalg().c_str());
    g_mime_multipart_add(multipart_signed.get(), content_part(mail).get());
    g_mime_message_set_mime_part(message.get(), outer);
    const std::string boundary = g_mime_multipart_get_boundary(multipart_signed.get());

    // The content as the written mail holds it is what gets signed; written again
    // with the signature, it must read back byte for byte.
    std::string content = first_part(write_crlf(GMIME_OBJECT(message.get())), boundary);
    Bytes signature = signer.sign(as_bytes(content), now);
    g_mime_multipart_add(multipart_signed.get(), signature_part(signature).get());
    std::string written = write_crlf(GMIME_OBJECT(message.get()));
    if (first_part(written, boundary) != content)
        throw Error(ErrorCategory::Internal, "mail_write_failed",
                    "the signed content changed when the mail was written");
    return written;
}

}  // namespace inkan::mail
