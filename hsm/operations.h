// Cryptographic operations on token keys. Each runs on a pooled session (retried
// once on a re-opened session if the session was lost).
#pragma once

#include <p11-kit/pkcs11.h>

#include "common/bytes.h"
#include "hsm/keys.h"

namespace inkan::hsm {

// C_SignInit + C_Sign with `mechanism` (no parameters) over `data`.
Bytes sign(const KeyObject& key, CK_MECHANISM_TYPE mechanism, ByteView data);

// CKM_SHA256_RSA_PKCS over `message`: a PKCS#1 v1.5 signature.
Bytes sign_rsa_pkcs1_sha256(const KeyObject& key, ByteView message);

enum class DigestAlgorithm { Sha256, Sha384 };

// SHA-256 / SHA-384 of `message` with OpenSSL.
Bytes digest(DigestAlgorithm algorithm, ByteView message);

// Raw r||s (CKM_ECDSA output, two equal halves) to a DER Ecdsa-Sig-Value.
// Throws Error(Internal, "hsm_ecdsa_signature_malformed") for an odd/empty input.
Bytes ecdsa_signature_to_der(ByteView raw);

// ECDSA over `message`: hashes with OpenSSL (SoftHSM has no CKM_ECDSA_SHA256),
// signs the digest with CKM_ECDSA, returns the DER Ecdsa-Sig-Value.
Bytes sign_ecdsa(const KeyObject& key, DigestAlgorithm algorithm, ByteView message);

// n bytes from C_GenerateRandom.
Bytes generate_random(Token& token, size_t n);

// CKM_SHA256_HMAC (32 bytes) of `data` with a generic-secret key.
Bytes hmac_sha256(const KeyObject& key, ByteView data);

inline constexpr size_t kGcmIvSize = 12;
inline constexpr size_t kGcmTagSize = 16;

// AES-GCM with a fresh 12-byte IV from C_GenerateRandom and a 128-bit tag.
// Returns iv || ciphertext || tag.
Bytes aes_gcm_encrypt(const KeyObject& key, ByteView plaintext, ByteView aad = {});

// Inverse of aes_gcm_encrypt. A wrong key, tampered data or wrong `aad` throws
// Error(InvalidInput, "hsm_decryption_failed"); input shorter than iv + tag
// throws Error(InvalidInput, "hsm_ciphertext_too_short").
Bytes aes_gcm_decrypt(const KeyObject& key, ByteView iv_ciphertext_tag, ByteView aad = {});

}  // namespace inkan::hsm
