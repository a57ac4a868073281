#include "hsm/session_key.h"

#include <gtest/gtest.h>

#include "hsm/attributes.h"
#include "hsm/operations.h"
#include "hsm/public_key.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using HsmSessionKey = test::HsmTokenFixture;

Bytes openssl_sign(EVP_PKEY* key, ByteView message) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key), 1);
    size_t length = 0;
    EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()), 1);
    Bytes signature(length);
    EXPECT_EQ(EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()),
              1);
    signature.resize(length);
    return signature;
}

void export_and_check(Token& token, KeyAlgorithm algorithm, int expected_base_id,
                      int expected_bits) {
    SessionKeyPair pair = generate_session_key_pair(token, algorithm);
    const Bytes id = pair.id();
    ASSERT_EQ(id.size(), 16u);

    // The pair exists in the HSM as session objects, extractable and not sensitive.
    EXPECT_EQ(test::count_objects_with_id(token, id), 2u);
    const KeyObject& priv = pair.private_key();
    ASSERT_NE(pair.public_key(), nullptr) << "a pair made on demand keeps its public object";
    EXPECT_EQ(priv.flag(CKA_TOKEN), false);
    EXPECT_EQ(pair.public_key()->flag(CKA_TOKEN), false);
    EXPECT_EQ(priv.flag(CKA_EXTRACTABLE), true);
    EXPECT_EQ(priv.flag(CKA_SENSITIVE), false);
    EXPECT_EQ(priv.flag(CKA_DECRYPT), false);
    EvpPkeyPtr hsm_public = export_public_key(*pair.public_key());

    EvpPkeyPtr exported = pair.export_and_destroy();
    ASSERT_TRUE(exported);
    EXPECT_TRUE(pair.exported());
    EXPECT_EQ(EVP_PKEY_get_base_id(exported.get()), expected_base_id);
    EXPECT_EQ(EVP_PKEY_get_bits(exported.get()), expected_bits);
    EXPECT_EQ(EVP_PKEY_eq(exported.get(), hsm_public.get()), 1) << "public halves differ";
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new(exported.get(), nullptr));
    EXPECT_EQ(EVP_PKEY_pairwise_check(check.get()), 1) << "exported key pair is inconsistent";
    Bytes message = {'p', '1', '2'};
    EXPECT_TRUE(test::verify_signature(hsm_public.get(), EVP_sha256(), message,
                                       openssl_sign(exported.get(), message)));

    // Both objects are gone from the HSM.
    EXPECT_EQ(test::count_objects_with_id(token, id), 0u);
    try {
        pair.private_key();
        FAIL() << "private_key() after export";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_session_key_consumed");
    }
    EXPECT_THROW(pair.public_key(), Error);
    EXPECT_THROW(pair.export_and_destroy(), Error);
}

TEST_F(HsmSessionKey, RsaKeyIsExportedOnceAndDestroyed) {
    export_and_check(*token_, KeyAlgorithm::Rsa2048, EVP_PKEY_RSA, 2048);
}

TEST_F(HsmSessionKey, EcKeyIsExportedOnceAndDestroyed) {
    export_and_check(*token_, KeyAlgorithm::EcP256, EVP_PKEY_EC, 256);
}

TEST_F(HsmSessionKey, OwnerDestroysObjectsThatWereNeverExported) {
    Bytes id;
    {
        SessionKeyPair pair = generate_session_key_pair(*token_, KeyAlgorithm::EcP256);
        id = pair.id();
        SessionKeyPair moved = std::move(pair);
        EXPECT_EQ(test::count_objects_with_id(*token_, id), 2u);
    }
    EXPECT_EQ(test::count_objects_with_id(*token_, id), 0u);
}

TEST_F(HsmSessionKey, GenerateExportedKeyLeavesNothingBehind) {
    EvpPkeyPtr key = generate_exported_key(*token_, KeyAlgorithm::EcP384);
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 384);
    auto remaining = token_->with_session([](const Session& s) {
        AttributeTemplate session_objects;
        session_objects.add_bool(CKA_TOKEN, false);
        return find_objects(s, session_objects);
    });
    EXPECT_TRUE(remaining.empty());
}

}  // namespace
}  // namespace inkan::hsm
