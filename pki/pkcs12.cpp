#include "pki/pkcs12.h"

#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "common/error.h"
#include "common/openssl_ptr.h"

namespace inkan::pki {

namespace {

X509StackPtr stack_of(const std::vector<const X509*>& certs) {
    X509StackPtr stack(sk_X509_new_null());
    if (!stack) openssl_fail("stack allocation failed");
    for (const X509* c : certs) {
        X509* cert = const_cast<X509*>(c);
        if (!cert || X509_up_ref(cert) != 1) openssl_fail("null certificate in chain");
        if (!sk_X509_push(stack.get(), cert)) {
            X509Ptr drop(cert);
            openssl_fail("push failed");
        }
    }
    return stack;
}

Pkcs7Ptr certs_only(const std::vector<const X509*>& certificates) {
    Pkcs7Ptr p7(PKCS7_new());
    if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1)
        openssl_fail("PKCS7_set_type failed");
    // Inner content: type id-data, no content (as `openssl crl2pkcs7 -nocrl` writes it).
    p7->d.sign->contents->type = OBJ_nid2obj(NID_pkcs7_data);
    for (const X509* c : certificates)
        if (PKCS7_add_certificate(p7.get(), const_cast<X509*>(c)) != 1)
            openssl_fail("PKCS7_add_certificate failed");
    return p7;
}

}  // namespace

Bytes build_pkcs12(EVP_PKEY* private_key, const X509* certificate,
                   const std::vector<const X509*>& chain, const SecretString& password,
                   const std::string& friendly_name, const Pkcs12Options& options) {
    if (password.empty())
        throw Error(ErrorCategory::InvalidInput, "pkcs12_password_empty",
                    "PKCS#12 password is empty");
    X509* cert = const_cast<X509*>(certificate);
    if (!private_key || !cert || X509_check_private_key(cert, private_key) != 1) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "pkcs12_key_mismatch",
                    "the private key does not belong to the certificate");
    }
    X509StackPtr ca = stack_of(chain);
    bool legacy = options.encryption == Pkcs12Encryption::LegacyTripleDesSha1;
    int pbe = legacy ? NID_pbe_WithSHA1And3_Key_TripleDES_CBC : NID_aes_256_cbc;
    // mac_iter -1: no MAC here, set below with the digest we want.
    Pkcs12Ptr p12(PKCS12_create_ex(
        password.str().c_str(), friendly_name.empty() ? nullptr : friendly_name.c_str(),
        private_key, cert, ca.get(), pbe, pbe, options.iterations, -1, 0, nullptr, nullptr));
    if (!p12) openssl_fail("PKCS12_create_ex failed");
    if (PKCS12_set_mac(p12.get(), password.str().c_str(), -1, nullptr, 0, options.iterations,
                       legacy ? EVP_sha1() : EVP_sha256()) != 1)
        openssl_fail("PKCS12_set_mac failed");
    unsigned char* der = nullptr;
    int len = i2d_PKCS12(p12.get(), &der);
    if (len <= 0) openssl_fail("cannot encode PKCS#12");
    OpenSslBytes owned(der);
    return Bytes(der, der + len);
}

Bytes pkcs7_certs_only_der(const std::vector<const X509*>& certificates) {
    Pkcs7Ptr p7 = certs_only(certificates);
    unsigned char* der = nullptr;
    int len = i2d_PKCS7(p7.get(), &der);
    if (len <= 0) openssl_fail("cannot encode PKCS#7");
    OpenSslBytes owned(der);
    return Bytes(der, der + len);
}

std::string pkcs7_certs_only_pem(const std::vector<const X509*>& certificates) {
    Pkcs7Ptr p7 = certs_only(certificates);
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PKCS7(bio.get(), p7.get()) != 1)
        openssl_fail("cannot encode PKCS#7 PEM");
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

}  // namespace inkan::pki
