#include "pki/cms.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "pki/der.h"
#include "pki/tbs_signing.h"

namespace inkan::pki {
namespace {

constexpr std::uint8_t kSet = 0x31;

void add_attribute(CMS_SignerInfo* si, int nid, int type, const void* value, int length) {
    if (CMS_signed_add1_attr_by_NID(si, nid, type, value, length) != 1)
        openssl_fail(std::string("cannot add signed attribute ") + OBJ_nid2sn(nid));
}

// The signed attributes as the signature covers them (RFC 5652 5.4): the DER
// of SET OF Attribute, elements in DER order (as OpenSSL encodes them in the
// SignerInfo: compared byte by byte, the shorter first on a common prefix).
Bytes signed_attributes_der(CMS_SignerInfo* si) {
    std::vector<Bytes> attributes;
    for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
        X509_ATTRIBUTE* attribute = CMS_signed_get_attr(si, i);
        attributes.push_back(der::der_of(
            [&](unsigned char** p) { return i2d_X509_ATTRIBUTE(attribute, p); }, "attribute"));
    }
    std::sort(attributes.begin(), attributes.end(), [](const Bytes& a, const Bytes& b) {
        int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
        return c != 0 ? c < 0 : a.size() < b.size();
    });
    Bytes elements;
    for (const auto& a : attributes) elements.insert(elements.end(), a.begin(), a.end());
    return der::tlv(kSet, {elements});
}

Bytes content_digest(const EVP_MD* md, ByteView content) {
    Bytes digest(static_cast<size_t>(EVP_MD_get_size(md)));
    unsigned int length = 0;
    if (EVP_Digest(content.data(), content.size(), digest.data(), &length, md, nullptr) != 1 ||
        length != digest.size())
        openssl_fail("EVP_Digest failed");
    return digest;
}

CmsPtr parse_cms(ByteView der) {
    const unsigned char* p = der.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms || p != der.data() + der.size()) return nullptr;
    return cms;
}

// Empty string when `cms` is a valid detached signature over `content` from a
// certificate chaining to one of `trusted` (S/MIME signing); else why not.
std::string verification_failure(CMS_ContentInfo* cms, ByteView content,
                                 const std::vector<const X509*>& trusted) {
    X509StorePtr store(X509_STORE_new());
    if (!store) openssl_fail("X509_STORE_new failed");
    for (const X509* cert : trusted) {
        if (X509_STORE_add_cert(store.get(), const_cast<X509*>(cert)) != 1)
            openssl_fail("X509_STORE_add_cert failed");
    }
    // An issuing CA under an external root is trusted as the anchor it is here.
    X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
    BioPtr data(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    if (!data) openssl_fail("BIO_new_mem_buf failed");
    if (CMS_verify(cms, nullptr, store.get(), data.get(), nullptr, CMS_BINARY) == 1) return {};
    std::string why = openssl_error_text();
    return why.empty() ? "CMS_verify failed" : why;
}

}  // namespace

const EVP_MD* cms_digest(SignatureAlgorithm algorithm) {
    return algorithm == SignatureAlgorithm::EcdsaSha384 ? EVP_sha384() : EVP_sha256();
}

std::string smime_micalg(SignatureAlgorithm algorithm) {
    return algorithm == SignatureAlgorithm::EcdsaSha384 ? "sha-384" : "sha-256";
}

Bytes sign_detached_cms(Signer& signer, const X509* certificate,
                        const std::vector<const X509*>& chain, ByteView content,
                        TimePoint signing_time) {
    check_signer(signer);
    if (EVP_PKEY_eq(X509_get0_pubkey(certificate), signer.public_key()) != 1) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "signer_certificate_mismatch",
                    "the S/MIME certificate does not hold the signing key");
    }
    const EVP_MD* md = cms_digest(signer.algorithm());
    CmsPtr cms(CMS_ContentInfo_new());
    if (!cms || CMS_SignedData_init(cms.get()) != 1) openssl_fail("cannot create SignedData");
    // The public key stands in for the private one: with CMS_PARTIAL nothing is
    // signed here; OpenSSL only sets the identifiers and includes the certificate.
    CMS_SignerInfo* si =
        CMS_add1_signer(cms.get(), const_cast<X509*>(certificate), signer.public_key(), md,
                        CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP);
    if (!si) openssl_fail("CMS_add1_signer failed");
    for (const X509* cert : chain) {
        if (CMS_add1_cert(cms.get(), const_cast<X509*>(cert)) != 1)
            openssl_fail("CMS_add1_cert failed");
    }
    if (CMS_set_detached(cms.get(), 1) != 1) openssl_fail("CMS_set_detached failed");

    add_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1);
    Asn1TimePtr when = to_asn1_time(whole_seconds(signing_time));
    add_attribute(si, NID_pkcs9_signingTime, ASN1_STRING_type(when.get()), when.get(), -1);
    Bytes digest = content_digest(md, content);
    add_attribute(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest.data(),
                  static_cast<int>(digest.size()));

    Bytes signature = signer.sign(signed_attributes_der(si));
    if (signature.empty() || ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), signature.data(),
                                             static_cast<int>(signature.size())) != 1)
        throw Error(ErrorCategory::Internal, "signature_verification_failed",
                    "empty or unusable CMS signature");

    Bytes out = der::der_of([&](unsigned char** p) { return i2d_CMS_ContentInfo(cms.get(), p); },
                            "SignedData");
    CmsPtr parsed = parse_cms(out);
    if (!parsed) openssl_fail("the SignedData does not parse back");
    std::vector<const X509*> trusted = chain.empty() ? std::vector{certificate} : chain;
    std::string failure = verification_failure(parsed.get(), content, trusted);
    if (!failure.empty())
        throw Error(ErrorCategory::Internal, "signature_verification_failed",
                    "CMS signature does not verify: " + failure);
    return out;
}

void verify_detached_cms(ByteView cms_der, ByteView content,
                         const std::vector<const X509*>& trusted) {
    CmsPtr cms = parse_cms(cms_der);
    if (!cms) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "cms_invalid", "not a DER CMS ContentInfo");
    }
    std::string failure = verification_failure(cms.get(), content, trusted);
    if (!failure.empty())
        throw Error(ErrorCategory::InvalidInput, "cms_invalid",
                    "CMS signature does not verify: " + failure);
}

}  // namespace inkan::pki
