// Key generation with every usage attribute set explicitly (SoftHSM's defaults
// are permissive). Long-lived keys are token objects, private, sensitive and
// never extractable.
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "hsm/keys.h"

namespace inkan::hsm {

enum class KeyAlgorithm { Rsa2048, Rsa3072, Rsa4096, EcP256, EcP384 };

std::string_view to_string(KeyAlgorithm algorithm) noexcept;  // "rsa-2048", "ec-p256", ...
// Parses to_string's names; throws Error(Unsupported, "hsm_key_algorithm_unsupported").
KeyAlgorithm parse_key_algorithm(std::string_view name);
bool is_rsa(KeyAlgorithm algorithm) noexcept;

struct KeyPair {
    KeyObject private_key;
    KeyObject public_key;
};

// Label and CKA_ID of a new key (both set on every object of the key).
struct KeySpec {
    std::string label;
    Bytes id;  // e.g. random_key_id(token)
};

// A signing key pair: token objects; private key private, sensitive,
// non-extractable, sign only (decrypt, unwrap, derive, sign-recover false);
// public key verify only (encrypt, wrap, verify-recover, derive false).
// Throws Error(Conflict, "hsm_key_id_exists") if a private key with that id exists.
KeyPair generate_signing_key_pair(Token& token, KeyAlgorithm algorithm, const KeySpec& spec);

// A 32-byte generic secret for CKM_SHA256_HMAC: token object, private, sensitive,
// non-extractable, sign/verify only.
KeyObject generate_hmac_key(Token& token, const KeySpec& spec);

// An AES-256 key for AES-GCM: token object, private, sensitive, non-extractable,
// encrypt/decrypt only.
KeyObject generate_aes_key(Token& token, const KeySpec& spec);

// DER OID of a named curve (CKA_EC_PARAMS) for EcP256 / EcP384.
Bytes ec_params_der(KeyAlgorithm algorithm);

}  // namespace inkan::hsm
