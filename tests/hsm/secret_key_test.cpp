#include <gtest/gtest.h>

#include "hsm/key_generation.h"
#include "hsm/operations.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using HsmSecretKeys = test::HsmTokenFixture;

TEST_F(HsmSecretKeys, HmacKeyIsSignOnlyAndItsValueStaysInside) {
    KeyObject key = generate_hmac_key(*token_, {"access-pin", random_key_id(*token_)});
    EXPECT_EQ(key.object_class(), static_cast<CK_OBJECT_CLASS>(CKO_SECRET_KEY));
    EXPECT_EQ(key.key_type(), static_cast<CK_KEY_TYPE>(CKK_GENERIC_SECRET));
    EXPECT_EQ(key.flag(CKA_TOKEN), true);
    EXPECT_EQ(key.flag(CKA_SENSITIVE), true);
    EXPECT_EQ(key.flag(CKA_EXTRACTABLE), false);
    EXPECT_EQ(key.flag(CKA_SIGN), true);
    EXPECT_EQ(key.flag(CKA_ENCRYPT), false);
    EXPECT_EQ(key.flag(CKA_DECRYPT), false);
    EXPECT_EQ(key.flag(CKA_WRAP), false);
    EXPECT_EQ(key.flag(CKA_DERIVE), false);
    try {
        key.attribute(CKA_VALUE);
        FAIL() << "the HMAC key's value was readable";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_attribute_sensitive");
    }
    // Sign only: it cannot encrypt.
    EXPECT_THROW(aes_gcm_encrypt(key, as_bytes("x")), Error);
}

TEST_F(HsmSecretKeys, HmacIsDeterministicAndKeyed) {
    KeyObject key = generate_hmac_key(*token_, {"pin-a", random_key_id(*token_)});
    KeyObject other = generate_hmac_key(*token_, {"pin-b", random_key_id(*token_)});
    Bytes input = test::bytes_of("access-pin|batch 7|row 3|nonce");
    Bytes mac = hmac_sha256(key, input);
    EXPECT_EQ(mac.size(), 32u);
    EXPECT_EQ(hmac_sha256(key, input), mac);
    EXPECT_NE(hmac_sha256(key, as_bytes("access-pin|batch 7|row 4|nonce")), mac);
    EXPECT_NE(hmac_sha256(other, input), mac);
    EXPECT_NE(digest(DigestAlgorithm::Sha256, input), mac);
    EXPECT_NE(mac, Bytes(32, 0));
    Bytes empty_mac = hmac_sha256(key, {});
    EXPECT_EQ(empty_mac.size(), 32u);
    EXPECT_NE(empty_mac, mac);
}

TEST_F(HsmSecretKeys, AesGcmRoundTripsAndDetectsTampering) {
    KeyObject key = generate_aes_key(*token_, {"pin-wrap", random_key_id(*token_)});
    EXPECT_EQ(key.key_type(), static_cast<CK_KEY_TYPE>(CKK_AES));
    EXPECT_EQ(key.flag(CKA_EXTRACTABLE), false);
    EXPECT_EQ(key.flag(CKA_SENSITIVE), true);
    EXPECT_EQ(key.flag(CKA_SIGN), false);
    EXPECT_EQ(key.flag(CKA_WRAP), false);
    EXPECT_EQ(key.flag(CKA_ENCRYPT), true);

    Bytes plaintext = test::bytes_of("supplied PIN 482913");
    Bytes aad = {'r', 'o', 'w', '1'};
    Bytes sealed = aes_gcm_encrypt(key, plaintext, aad);
    ASSERT_EQ(sealed.size(), kGcmIvSize + plaintext.size() + kGcmTagSize);
    EXPECT_EQ(aes_gcm_decrypt(key, sealed, aad), plaintext);
    Bytes sealed_again = aes_gcm_encrypt(key, plaintext, aad);
    EXPECT_NE(Bytes(sealed.begin(), sealed.begin() + kGcmIvSize),
              Bytes(sealed_again.begin(), sealed_again.begin() + kGcmIvSize));
    EXPECT_EQ(aes_gcm_decrypt(key, sealed_again, aad), plaintext);
    EXPECT_EQ(aes_gcm_decrypt(key, aes_gcm_encrypt(key, {}), {}), Bytes{});

    auto expect_rejected = [&](Bytes data, ByteView with_aad) {
        try {
            aes_gcm_decrypt(key, data, with_aad);
            ADD_FAILURE() << "tampered data decrypted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), "hsm_decryption_failed");
            EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
        }
    };
    for (size_t at : {size_t{0}, kGcmIvSize, kGcmIvSize + 5, sealed.size() - 1}) {
        Bytes tampered = sealed;
        tampered[at] ^= 0x01;
        expect_rejected(tampered, aad);
    }
    expect_rejected(sealed, as_bytes("row2"));
    try {
        aes_gcm_decrypt(key, Bytes(20, 0));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_ciphertext_too_short");
    }
    // The key still works after the failures (no operation left active).
    EXPECT_EQ(aes_gcm_decrypt(key, sealed, aad), plaintext);
}

}  // namespace
}  // namespace inkan::hsm
