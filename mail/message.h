// Outgoing notification mails, signed with S/MIME (RFC 8551) by a key in the
// HSM: GMime builds the MIME, pki::sign_detached_cms makes the signature.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "pki/asn1_time.h"
#include "pki/signer.h"

namespace inkan::mail {

struct Attachment {
    std::string file_name;
    std::string content_type;  // e.g. "text/tab-separated-values; charset=Shift_JIS";
                               // empty: application/octet-stream
    std::string content;       // raw bytes, sent base64 and received unchanged
};

struct OutgoingMail {
    std::string from;             // "Inkan CA <inkan@example.ac.jp>" or bare address;
                                  // empty: the signing certificate's address
    std::vector<std::string> to;  // bare addresses
    std::string subject;          // UTF-8; encoded per RFC 2047 in the header
    std::string body;             // UTF-8 plain text (Japanese first, then English)
    std::vector<Attachment> attachments;
    std::string message_id;  // "<...@...>" or empty: generated
};

// The S/MIME signing identity: a Signer (the HSM key) and its certificate,
// issued by the CA for the sender address (emailProtection), with the chain up
// to the root, all of which go into every signature.
class MailSigner {
  public:
    // Throws Error(InvalidInput, "signer_certificate_mismatch") when the
    // certificate does not hold the signer's key, Error(InvalidInput,
    // "mail_signer_no_address") when it names no e-mail address.
    MailSigner(pki::Signer& signer, X509Ptr certificate, std::vector<X509Ptr> chain);

    // DER detached CMS SignedData over `content` (verified before it returns).
    Bytes sign(ByteView content, pki::TimePoint now);
    std::string micalg() const;  // "sha-256" (or "sha-384" for an ECDSA-SHA384 key)

    // The certificate's rfc822Name (subjectAltName), lowercase.
    const std::string& address() const { return address_; }
    const X509* certificate() const { return certificate_.get(); }
    const std::vector<X509Ptr>& chain() const { return chain_; }

  private:
    pki::Signer& signer_;
    X509Ptr certificate_;
    std::vector<X509Ptr> chain_;
    std::string address_;
};

// The whole RFC 5322 message (CRLF line ends): multipart/signed;
// protocol="application/pkcs7-signature"; micalg=sha-256, first part = the content
// (text/plain; charset=UTF-8, or multipart/mixed with the text and the
// attachments, base64), second part = smime.p7s. Date and Message-ID set; the
// Subject RFC 2047-encoded (UTF-8). The From address must be the certificate's
// (Error(InvalidInput, "mail_from_mismatch")); no recipient, or one that is not
// an address, is Error(InvalidInput, "mail_recipient_invalid"); a subject with a
// line break Error(InvalidInput, "mail_subject_invalid").
std::string compose_signed(const OutgoingMail& mail, MailSigner& signer);
std::string compose_signed(const OutgoingMail& mail, MailSigner& signer, pki::TimePoint now);

}  // namespace inkan::mail
