#include "pki/encoding.h"

#include <openssl/pem.h>

#include <string_view>

#include "common/error.h"
#include "pki/der.h"

namespace inkan::pki {

namespace {

template <typename Write>
std::string pem_of(Write write) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) openssl_fail("PEM encoding failed");
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

BioPtr memory_bio(ByteView data) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio) openssl_fail("BIO_new_mem_buf failed");
    return bio;
}

}  // namespace

bool looks_like_pem(ByteView data) {
    return std::string_view(reinterpret_cast<const char*>(data.data()), data.size())
               .find("-----BEGIN ") != std::string_view::npos;
}

std::string certificate_der_to_pem(ByteView der) {
    return pem_of([&](BIO* b) {
        return PEM_write_bio(b, "CERTIFICATE", "", der.data(), static_cast<long>(der.size())) > 0
                   ? 1
                   : 0;
    });
}

Bytes to_der(const X509* cert) {
    return der::der_of([&](unsigned char** p) { return i2d_X509(cert, p); });
}
std::string to_pem(const X509* cert) {
    return pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert); });
}
Bytes to_der(const X509_CRL* crl) {
    return der::der_of([&](unsigned char** p) { return i2d_X509_CRL(crl, p); });
}
std::string to_pem(const X509_CRL* crl) {
    return pem_of([&](BIO* b) { return PEM_write_bio_X509_CRL(b, crl); });
}
Bytes to_der(const X509_REQ* req) {
    return der::der_of([&](unsigned char** p) { return i2d_X509_REQ(req, p); });
}
std::string to_pem(const X509_REQ* req) {
    return pem_of([&](BIO* b) { return PEM_write_bio_X509_REQ(b, req); });
}

std::string private_key_to_pem(EVP_PKEY* key) {
    return pem_of([&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

std::string public_key_to_pem(EVP_PKEY* key) {
    return pem_of([&](BIO* b) { return PEM_write_bio_PUBKEY(b, key); });
}

X509Ptr parse_certificate(ByteView data) {
    X509Ptr cert;
    if (looks_like_pem(data)) {
        BioPtr bio = memory_bio(data);
        cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    } else {
        const unsigned char* p = data.data();
        cert.reset(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
        if (cert && p != data.data() + data.size()) cert.reset();
    }
    if (!cert) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "bad_certificate", "not a PEM or DER certificate");
    }
    return cert;
}

X509CrlPtr parse_crl(ByteView data) {
    X509CrlPtr crl;
    if (looks_like_pem(data)) {
        BioPtr bio = memory_bio(data);
        crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    } else {
        const unsigned char* p = data.data();
        crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size())));
        if (crl && p != data.data() + data.size()) crl.reset();
    }
    if (!crl) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "bad_crl", "not a PEM or DER CRL");
    }
    return crl;
}

}  // namespace inkan::pki
