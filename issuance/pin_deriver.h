// Access PINs. A derived PIN is
//   encode(HMAC-SHA256_K("inkan-access-pin-v1" | batch id | row | nonce [| block]))
// computed in the HSM with the token's PIN key K (sensitive, non-extractable):
// only the 16-byte nonce is stored, the PIN is recomputed to show or check it.
// Encoding: `length` characters of the 32-symbol alphabet 23456789ABCDEFGHJKLMNPQRSTUVWXYZ
// (no 0/O, 1/I/l), 5 bits of HMAC output per character: uniform, no modulo bias,
// 60 bits for the default 12 characters.
// A PIN the request file supplied cannot be derived: it is kept only as
// AES-256-GCM ciphertext under the token's wrapping key (aad = purpose|batch|row).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/secret.h"
#include "hsm/keys.h"

namespace inkan::issuance {

inline constexpr const char* kPinAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
inline constexpr size_t kPinNonceSize = 16;

class PinDeriver {
  public:
    // Finds both keys by CKA_ID. length: 8..51 characters.
    PinDeriver(hsm::Token& token, const Bytes& hmac_key_id, const Bytes& aes_key_id, size_t length);

    // 16 bytes from the HSM's RNG.
    Bytes new_nonce() const;

    SecretString derive(const std::string& batch_id, int64_t row_no, ByteView nonce) const;

    Bytes seal_supplied_pin(const SecretString& pin, const std::string& batch_id,
                            int64_t row_no) const;
    SecretString open_supplied_pin(ByteView ciphertext, const std::string& batch_id,
                                   int64_t row_no) const;

    // Any other secret kept for later (e.g. a URL token a notification will mail):
    // AES-GCM under the wrapping key, aad = purpose|batch|row.
    Bytes seal(std::string_view purpose, ByteView plaintext, const std::string& batch_id,
               int64_t row_no) const;
    Bytes open(std::string_view purpose, ByteView ciphertext, const std::string& batch_id,
               int64_t row_no) const;

    // Constant-time comparison of two PINs.
    static bool equal(const SecretString& a, const SecretString& b) noexcept;

  private:
    hsm::Token& token_;
    hsm::StableKey hmac_key_;
    hsm::StableKey aes_key_;
    size_t length_;
};

}  // namespace inkan::issuance
