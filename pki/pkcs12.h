// PKCS#12 files for subscribers (P12 download types) and PKCS#7 certs-only chains.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/secret.h"

namespace inkan::pki {

enum class Pkcs12Encryption {
    Aes256Pbkdf2,        // PBES2 AES-256-CBC + PBKDF2-HMAC-SHA256 for key and certs, MAC SHA-256
    LegacyTripleDesSha1  // pbeWithSHAAnd3-KeyTripleDES-CBC for key and certs, MAC SHA-1
                         // (old Windows / macOS importers)
};

struct Pkcs12Options {
    Pkcs12Encryption encryption = Pkcs12Encryption::Aes256Pbkdf2;
    int iterations = 2048;  // PBE and MAC iterations
};

// The key must belong to `certificate` (else Error(InvalidInput, "pkcs12_key_mismatch"));
// an empty password is refused (pkcs12_password_empty). `chain`: issuing CA first.
Bytes build_pkcs12(EVP_PKEY* private_key, const X509* certificate,
                   const std::vector<const X509*>& chain, const SecretString& password,
                   const std::string& friendly_name, const Pkcs12Options& options = {});

// Degenerate SignedData with only certificates (RFC 2315 / "certs-only", .p7b / .p7c).
Bytes pkcs7_certs_only_der(const std::vector<const X509*>& certificates);
std::string pkcs7_certs_only_pem(const std::vector<const X509*>& certificates);

}  // namespace inkan::pki
