#include "issuance/pin_deriver.h"

#include <openssl/crypto.h>

#include "common/error.h"
#include "hsm/operations.h"

namespace inkan::issuance {
namespace {

constexpr std::string_view kPinPurpose = "inkan-access-pin-v1";
constexpr std::string_view kSuppliedPinPurpose = "inkan-supplied-pin-v1";

void append_u32(Bytes& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void append_field(Bytes& out, ByteView field) {  // length-prefixed: no ambiguity between fields
    append_u32(out, static_cast<uint32_t>(field.size()));
    out.insert(out.end(), field.begin(), field.end());
}

void append_row(Bytes& out, int64_t row_no) {
    auto v = static_cast<uint64_t>(row_no);
    append_u32(out, 8);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

Bytes aad_for(std::string_view purpose, const std::string& batch_id, int64_t row_no) {
    Bytes aad;
    append_field(aad, as_bytes(purpose));
    append_field(aad, as_bytes(batch_id));
    append_row(aad, row_no);
    return aad;
}

}  // namespace

PinDeriver::PinDeriver(hsm::Token& token, const Bytes& hmac_key_id, const Bytes& aes_key_id,
                       size_t length)
    : token_(token),
      hmac_key_(token, CKO_SECRET_KEY, hmac_key_id),
      aes_key_(token, CKO_SECRET_KEY, aes_key_id),
      length_(length) {
    if (length < 8 || length > 51) {
        throw Error(ErrorCategory::InvalidInput, "config_pin_length",
                    "access PIN length must be 8..51 characters");
    }
}

Bytes PinDeriver::new_nonce() const { return hsm::generate_random(token_, kPinNonceSize); }

SecretString PinDeriver::derive(const std::string& batch_id, int64_t row_no, ByteView nonce) const {
    std::string pin;
    pin.reserve(length_);
    // Each 32-byte block gives 51 characters; one block suffices for length <= 51.
    Bytes input;
    append_field(input, as_bytes(kPinPurpose));
    append_field(input, as_bytes(batch_id));
    append_row(input, row_no);
    append_field(input, nonce);
    Bytes mac =
        hmac_key_.use([&](const hsm::KeyObject& key) { return hsm::hmac_sha256(key, input); });
    size_t bit = 0;
    while (pin.size() < length_) {
        unsigned v = 0;
        for (int i = 0; i < 5; ++i, ++bit) {
            v = (v << 1) | ((mac[bit / 8] >> (7 - bit % 8)) & 1u);
        }
        pin.push_back(kPinAlphabet[v]);
    }
    OPENSSL_cleanse(mac.data(), mac.size());
    return SecretString(std::move(pin));
}

Bytes PinDeriver::seal(std::string_view purpose, ByteView plaintext, const std::string& batch_id,
                       int64_t row_no) const {
    Bytes aad = aad_for(purpose, batch_id, row_no);
    return aes_key_.use(
        [&](const hsm::KeyObject& key) { return hsm::aes_gcm_encrypt(key, plaintext, aad); });
}

Bytes PinDeriver::open(std::string_view purpose, ByteView ciphertext, const std::string& batch_id,
                       int64_t row_no) const {
    Bytes aad = aad_for(purpose, batch_id, row_no);
    return aes_key_.use(
        [&](const hsm::KeyObject& key) { return hsm::aes_gcm_decrypt(key, ciphertext, aad); });
}

Bytes PinDeriver::seal_supplied_pin(const SecretString& pin, const std::string& batch_id,
                                    int64_t row_no) const {
    return seal(kSuppliedPinPurpose, as_bytes(pin.str()), batch_id, row_no);
}

SecretString PinDeriver::open_supplied_pin(ByteView ciphertext, const std::string& batch_id,
                                           int64_t row_no) const {
    Bytes plain = open(kSuppliedPinPurpose, ciphertext, batch_id, row_no);
    SecretString pin(to_string(plain));
    OPENSSL_cleanse(plain.data(), plain.size());
    return pin;
}

bool PinDeriver::equal(const SecretString& a, const SecretString& b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.str().data(), b.str().data(), a.size()) == 0;
}

}  // namespace inkan::issuance
