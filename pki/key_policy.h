// Which subject public keys Inkan certifies: RSA 2048..8192 bits (odd exponent
// >= 3, PKCS#1 rsaEncryption keys only, no RSA-PSS keys), EC P-256 and P-384.
#pragma once

#include <openssl/evp.h>

#include <optional>
#include <string>

namespace inkan::pki {

// nullopt if acceptable, otherwise a human-readable reason (no key material).
std::optional<std::string> key_policy_violation(const EVP_PKEY* key);

// True for RSA keys (they also get keyEncipherment in keyUsage).
bool is_rsa_key(const EVP_PKEY* key);

}  // namespace inkan::pki
