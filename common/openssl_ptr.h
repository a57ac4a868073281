// One owner type per OpenSSL object, the deleter declared once here
// (BoringSSL's UniquePtr pattern). No bare *_free anywhere else.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/core.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/param_build.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace inkan {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
    void operator()(T* p) const noexcept { Free(p); }
};

#define INKAN_OPENSSL_OWNER(Name, Type, FreeFn) \
    using Name = std::unique_ptr<Type, OpenSslDeleter<Type, FreeFn>>

inline void bio_free_all(BIO* b) { BIO_free_all(b); }
inline void asn1_string_free(ASN1_STRING* s) { ASN1_STRING_free(s); }
inline void asn1_integer_free(ASN1_INTEGER* s) { ASN1_INTEGER_free(s); }
inline void asn1_time_free(ASN1_TIME* s) { ASN1_TIME_free(s); }
inline void asn1_octet_free(ASN1_OCTET_STRING* s) { ASN1_OCTET_STRING_free(s); }
inline void openssl_free_char(char* p) { OPENSSL_free(p); }
inline void openssl_free_uchar(unsigned char* p) { OPENSSL_free(p); }
inline void x509_stack_free(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void x509_ext_stack_free(STACK_OF(X509_EXTENSION) * s) {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}
inline void general_names_free(GENERAL_NAMES* s) { GENERAL_NAMES_free(s); }
inline void asn1_object_stack_free(STACK_OF(ASN1_OBJECT) * s) {
    sk_ASN1_OBJECT_pop_free(s, ASN1_OBJECT_free);
}

INKAN_OPENSSL_OWNER(BioPtr, BIO, bio_free_all);
INKAN_OPENSSL_OWNER(BignumPtr, BIGNUM, BN_free);
INKAN_OPENSSL_OWNER(EvpPkeyPtr, EVP_PKEY, EVP_PKEY_free);
INKAN_OPENSSL_OWNER(EvpPkeyCtxPtr, EVP_PKEY_CTX, EVP_PKEY_CTX_free);
INKAN_OPENSSL_OWNER(EvpMdCtxPtr, EVP_MD_CTX, EVP_MD_CTX_free);
INKAN_OPENSSL_OWNER(X509Ptr, X509, X509_free);
INKAN_OPENSSL_OWNER(X509NamePtr, X509_NAME, X509_NAME_free);
INKAN_OPENSSL_OWNER(X509ReqPtr, X509_REQ, X509_REQ_free);
INKAN_OPENSSL_OWNER(X509CrlPtr, X509_CRL, X509_CRL_free);
INKAN_OPENSSL_OWNER(X509RevokedPtr, X509_REVOKED, X509_REVOKED_free);
INKAN_OPENSSL_OWNER(X509ExtensionPtr, X509_EXTENSION, X509_EXTENSION_free);
INKAN_OPENSSL_OWNER(X509StorePtr, X509_STORE, X509_STORE_free);
INKAN_OPENSSL_OWNER(X509StoreCtxPtr, X509_STORE_CTX, X509_STORE_CTX_free);
INKAN_OPENSSL_OWNER(X509StackPtr, STACK_OF(X509), x509_stack_free);
INKAN_OPENSSL_OWNER(X509ExtStackPtr, STACK_OF(X509_EXTENSION), x509_ext_stack_free);
INKAN_OPENSSL_OWNER(GeneralNamesPtr, GENERAL_NAMES, general_names_free);
INKAN_OPENSSL_OWNER(Asn1StringPtr, ASN1_STRING, asn1_string_free);
INKAN_OPENSSL_OWNER(Asn1IntegerPtr, ASN1_INTEGER, asn1_integer_free);
INKAN_OPENSSL_OWNER(Asn1TimePtr, ASN1_TIME, asn1_time_free);
INKAN_OPENSSL_OWNER(Asn1OctetStringPtr, ASN1_OCTET_STRING, asn1_octet_free);
INKAN_OPENSSL_OWNER(EcdsaSigPtr, ECDSA_SIG, ECDSA_SIG_free);
INKAN_OPENSSL_OWNER(EcGroupPtr, EC_GROUP, EC_GROUP_free);
INKAN_OPENSSL_OWNER(EcPointPtr, EC_POINT, EC_POINT_free);
INKAN_OPENSSL_OWNER(Pkcs12Ptr, PKCS12, PKCS12_free);
INKAN_OPENSSL_OWNER(Pkcs7Ptr, PKCS7, PKCS7_free);
INKAN_OPENSSL_OWNER(CmsPtr, CMS_ContentInfo, CMS_ContentInfo_free);
INKAN_OPENSSL_OWNER(NetscapeSpkiPtr, NETSCAPE_SPKI, NETSCAPE_SPKI_free);
INKAN_OPENSSL_OWNER(OcspRequestPtr, OCSP_REQUEST, OCSP_REQUEST_free);
INKAN_OPENSSL_OWNER(OcspResponsePtr, OCSP_RESPONSE, OCSP_RESPONSE_free);
INKAN_OPENSSL_OWNER(OcspBasicRespPtr, OCSP_BASICRESP, OCSP_BASICRESP_free);
INKAN_OPENSSL_OWNER(OpenSslString, char, openssl_free_char);
INKAN_OPENSSL_OWNER(OpenSslBytes, unsigned char, openssl_free_uchar);
INKAN_OPENSSL_OWNER(SslCtxPtr, SSL_CTX, SSL_CTX_free);
INKAN_OPENSSL_OWNER(SslPtr, SSL, SSL_free);
// A BIGNUM holding secret key material: wiped when freed.
INKAN_OPENSSL_OWNER(SecretBignumPtr, BIGNUM, BN_clear_free);
INKAN_OPENSSL_OWNER(OsslParamBldPtr, OSSL_PARAM_BLD, OSSL_PARAM_BLD_free);
INKAN_OPENSSL_OWNER(OsslParamPtr, OSSL_PARAM, OSSL_PARAM_free);
INKAN_OPENSSL_OWNER(Asn1ObjectPtr, ASN1_OBJECT, ASN1_OBJECT_free);
INKAN_OPENSSL_OWNER(Asn1EnumeratedPtr, ASN1_ENUMERATED, ASN1_ENUMERATED_free);
INKAN_OPENSSL_OWNER(ObjectStackPtr, STACK_OF(ASN1_OBJECT), asn1_object_stack_free);
INKAN_OPENSSL_OWNER(X509AlgorPtr, X509_ALGOR, X509_ALGOR_free);
INKAN_OPENSSL_OWNER(X509PubkeyPtr, X509_PUBKEY, X509_PUBKEY_free);
INKAN_OPENSSL_OWNER(BasicConstraintsPtr, BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free);
INKAN_OPENSSL_OWNER(AuthorityKeyIdPtr, AUTHORITY_KEYID, AUTHORITY_KEYID_free);
INKAN_OPENSSL_OWNER(CrlDistPointsPtr, CRL_DIST_POINTS, CRL_DIST_POINTS_free);
INKAN_OPENSSL_OWNER(DistPointPtr, DIST_POINT, DIST_POINT_free);
INKAN_OPENSSL_OWNER(AuthorityInfoAccessPtr, AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free);
INKAN_OPENSSL_OWNER(AccessDescriptionPtr, ACCESS_DESCRIPTION, ACCESS_DESCRIPTION_free);
INKAN_OPENSSL_OWNER(CertificatePoliciesPtr, CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free);
INKAN_OPENSSL_OWNER(PolicyInfoPtr, POLICYINFO, POLICYINFO_free);
INKAN_OPENSSL_OWNER(GeneralNamePtr, GENERAL_NAME, GENERAL_NAME_free);
INKAN_OPENSSL_OWNER(OcspCertIdPtr, OCSP_CERTID, OCSP_CERTID_free);

#undef INKAN_OPENSSL_OWNER

// The text of the OpenSSL error queue (and clears it); for error messages.
std::string openssl_error_text();

// Throws Error(Internal, "openssl_failure", what + the error queue's text).
[[noreturn]] void openssl_fail(const std::string& what);

}  // namespace inkan
