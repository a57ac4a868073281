// PEM and DER encoders and parsers for certificates, CRLs, requests and keys.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "common/bytes.h"
#include "common/openssl_ptr.h"

namespace inkan::pki {

Bytes to_der(const X509* cert);
std::string to_pem(const X509* cert);
// A certificate's DER as PEM, without parsing it (the store holds DER we made).
std::string certificate_der_to_pem(ByteView der);
Bytes to_der(const X509_CRL* crl);
std::string to_pem(const X509_CRL* crl);
Bytes to_der(const X509_REQ* req);
std::string to_pem(const X509_REQ* req);

// Unencrypted PKCS#8 PEM ("PRIVATE KEY"). Only for software keys (tests, the
// appliance's own TLS key); HSM keys never leave the HSM.
std::string private_key_to_pem(EVP_PKEY* key);
// Public key as SubjectPublicKeyInfo PEM ("PUBLIC KEY").
std::string public_key_to_pem(EVP_PKEY* key);

// PEM ("-----BEGIN CERTIFICATE-----") or DER, detected from the content. Trailing
// bytes after DER are refused. Throws Error(InvalidInput, "bad_certificate").
X509Ptr parse_certificate(ByteView pem_or_der);
// Throws Error(InvalidInput, "bad_crl").
X509CrlPtr parse_crl(ByteView pem_or_der);

// True if the input looks like PEM (contains "-----BEGIN ").
bool looks_like_pem(ByteView data);

}  // namespace inkan::pki
