#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

#include "common/error.h"
#include "mail/message.h"
#include "pki/cms.h"

namespace inkan::mail {
namespace {

std::string first_email_address(const X509* certificate) {
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type != GEN_EMAIL) continue;
        std::string address(
            reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.rfc822Name)),
            static_cast<size_t>(ASN1_STRING_length(name->d.rfc822Name)));
        std::transform(address.begin(), address.end(), address.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return address;
    }
    throw Error(ErrorCategory::InvalidInput, "mail_signer_no_address",
                "the S/MIME certificate names no e-mail address (subjectAltName rfc822Name)");
}

}  // namespace

MailSigner::MailSigner(pki::Signer& signer, X509Ptr certificate, std::vector<X509Ptr> chain)
    : signer_(signer), certificate_(std::move(certificate)), chain_(std::move(chain)) {
    if (!certificate_ ||
        EVP_PKEY_eq(X509_get0_pubkey(certificate_.get()), signer.public_key()) != 1) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "signer_certificate_mismatch",
                    "the S/MIME certificate does not hold the signing key");
    }
    address_ = first_email_address(certificate_.get());
}

Bytes MailSigner::sign(ByteView content, pki::TimePoint now) {
    std::vector<const X509*> chain;
    for (const auto& cert : chain_) chain.push_back(cert.get());
    return pki::sign_detached_cms(signer_, certificate_.get(), chain, content, now);
}

std::string MailSigner::micalg() const { return pki::smime_micalg(signer_.algorithm()); }

}  // namespace inkan::mail
