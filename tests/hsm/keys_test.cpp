#include <gtest/gtest.h>

#include "hsm/key_generation.h"
#include "hsm/operations.h"
#include "hsm/public_key.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using HsmKeys = test::HsmTokenFixture;

void expect_signing_key_attributes(const KeyPair& key) {
    const KeyObject& priv = key.private_key;
    EXPECT_EQ(priv.flag(CKA_TOKEN), true);
    EXPECT_EQ(priv.flag(CKA_PRIVATE), true);
    EXPECT_EQ(priv.flag(CKA_SENSITIVE), true);
    EXPECT_EQ(priv.flag(CKA_EXTRACTABLE), false);
    EXPECT_EQ(priv.flag(CKA_ALWAYS_SENSITIVE), true);
    EXPECT_EQ(priv.flag(CKA_NEVER_EXTRACTABLE), true);
    EXPECT_EQ(priv.flag(CKA_SIGN), true);
    EXPECT_EQ(priv.flag(CKA_DECRYPT), false);
    EXPECT_EQ(priv.flag(CKA_UNWRAP), false);
    EXPECT_EQ(priv.flag(CKA_DERIVE), false);
    const KeyObject& pub = key.public_key;
    EXPECT_EQ(pub.flag(CKA_TOKEN), true);
    EXPECT_EQ(pub.flag(CKA_VERIFY), true);
    EXPECT_EQ(pub.flag(CKA_ENCRYPT), false);
    EXPECT_EQ(pub.flag(CKA_WRAP), false);
    EXPECT_EQ(priv.id(), pub.id());
}

TEST_F(HsmKeys, EcP256KeySignsWhatOpenSslVerifies) {
    Bytes id = random_key_id(*token_);
    ASSERT_EQ(id.size(), 16u);
    KeyPair key = generate_signing_key_pair(*token_, KeyAlgorithm::EcP256, {"ca-ec", id});
    expect_signing_key_attributes(key);
    EXPECT_EQ(key.private_key.label(), "ca-ec");
    EXPECT_EQ(key.private_key.id(), id);

    EvpPkeyPtr pub = export_public_key(key.public_key);
    EXPECT_EQ(EVP_PKEY_get_base_id(pub.get()), EVP_PKEY_EC);
    EXPECT_EQ(EVP_PKEY_get_bits(pub.get()), 256);
    // The private-key object leads to the same public key (via its CKA_ID).
    EXPECT_EQ(EVP_PKEY_eq(pub.get(), export_public_key(key.private_key).get()), 1);

    Bytes message(1000, 0x5a);
    Bytes signature = sign_ecdsa(key.private_key, DigestAlgorithm::Sha256, message);
    EXPECT_TRUE(test::verify_signature(pub.get(), EVP_sha256(), message, signature));
    message[0] ^= 1;
    EXPECT_FALSE(test::verify_signature(pub.get(), EVP_sha256(), message, signature));
}

TEST_F(HsmKeys, EcP384KeySignsSha384) {
    KeyPair key = generate_signing_key_pair(*token_, KeyAlgorithm::EcP384,
                                            {"ca-p384", random_key_id(*token_)});
    EvpPkeyPtr pub = export_public_key(key.public_key);
    EXPECT_EQ(EVP_PKEY_get_bits(pub.get()), 384);
    Bytes message = {'t', 'b', 's'};
    Bytes signature = sign_ecdsa(key.private_key, DigestAlgorithm::Sha384, message);
    EXPECT_TRUE(test::verify_signature(pub.get(), EVP_sha384(), message, signature));
    EXPECT_FALSE(test::verify_signature(pub.get(), EVP_sha256(), message, signature));
}

TEST_F(HsmKeys, Rsa2048KeySignsAndKeepsItsPrivateExponent) {
    KeyPair key = generate_signing_key_pair(*token_, KeyAlgorithm::Rsa2048,
                                            {"ca-rsa", random_key_id(*token_)});
    expect_signing_key_attributes(key);
    EXPECT_EQ(key.private_key.flag(CKA_SIGN_RECOVER), false);
    EXPECT_EQ(key.public_key.flag(CKA_VERIFY_RECOVER), false);

    Bytes spki = public_key_der(key.public_key);
    const unsigned char* p = spki.data();
    EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
    ASSERT_TRUE(pub);
    EXPECT_EQ(EVP_PKEY_get_base_id(pub.get()), EVP_PKEY_RSA);
    EXPECT_EQ(EVP_PKEY_get_bits(pub.get()), 2048);
    EXPECT_EQ(public_key_der(key.private_key), spki);

    Bytes message = {'h', 'e', 'l', 'l', 'o'};
    Bytes signature = sign_rsa_pkcs1_sha256(key.private_key, message);
    EXPECT_EQ(signature.size(), 256u);
    EXPECT_TRUE(test::verify_signature(pub.get(), EVP_sha256(), message, signature));
    message.push_back('!');
    EXPECT_FALSE(test::verify_signature(pub.get(), EVP_sha256(), message, signature));

    try {
        key.private_key.attribute(CKA_PRIVATE_EXPONENT);
        FAIL() << "the private exponent of a sensitive key was readable";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_attribute_sensitive");
        EXPECT_EQ(e.category(), ErrorCategory::Forbidden);
    }
}

TEST_F(HsmKeys, KeysAreFoundByIdFirstAndLabelsMayRepeat) {
    Bytes id1 = random_key_id(*token_);
    Bytes id2 = random_key_id(*token_);
    KeyPair k1 = generate_signing_key_pair(*token_, KeyAlgorithm::EcP256, {"same-label", id1});
    KeyPair k2 = generate_signing_key_pair(*token_, KeyAlgorithm::EcP256, {"same-label", id2});

    EXPECT_EQ(find_private_key(*token_, {id1, {}}).handle(), k1.private_key.handle());
    EXPECT_EQ(find_public_key(*token_, {id2, {}}).handle(), k2.public_key.handle());
    EXPECT_EQ(find_private_key(*token_, {id2, "same-label"}).handle(), k2.private_key.handle());
    EXPECT_FALSE(find_key(*token_, CKO_SECRET_KEY, {id1, {}}).has_value());

    try {
        find_private_key(*token_, {{}, "same-label"});
        FAIL() << "an ambiguous label picked one key";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_key_ambiguous");
    }
    try {
        find_private_key(*token_, {Bytes(16, 0), {}});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_key_not_found");
        EXPECT_EQ(e.category(), ErrorCategory::NotFound);
    }
    try {
        generate_signing_key_pair(*token_, KeyAlgorithm::EcP256, {"again", id1});
        FAIL() << "a second key with the same CKA_ID was generated";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_key_id_exists");
    }

    k1.private_key.destroy();
    k1.public_key.destroy();
    EXPECT_FALSE(find_key(*token_, CKO_PRIVATE_KEY, {id1, {}}).has_value());
    EXPECT_EQ(test::count_objects_with_id(*token_, id1), 0u);
    EXPECT_EQ(test::count_objects_with_id(*token_, id2), 2u);
}

TEST_F(HsmKeys, KeysSurviveReopeningTheToken) {
    Bytes id = random_key_id(*token_);
    generate_signing_key_pair(*token_, KeyAlgorithm::EcP256, {"persistent", id});
    token_.reset();
    token_ = std::make_unique<Token>(test::config_for(softhsm_));
    KeyObject priv = find_private_key(*token_, {id, {}});
    EvpPkeyPtr pub = export_public_key(priv);
    Bytes message = {42};
    EXPECT_TRUE(test::verify_signature(pub.get(), EVP_sha256(), message,
                                       sign_ecdsa(priv, DigestAlgorithm::Sha256, message)));
}

TEST(HsmKeyHelpers, RawEcdsaSignatureBecomesDer) {
    Bytes raw(64);
    for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(i + 1);
    raw[32] = 0x80;  // s has its top bit set: DER needs a leading zero
    Bytes der = ecdsa_signature_to_der(raw);
    const unsigned char* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    ASSERT_TRUE(sig);
    Bytes r(32), s(32);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), r.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), s.data(), 32);
    EXPECT_EQ(r, Bytes(raw.begin(), raw.begin() + 32));
    EXPECT_EQ(s, Bytes(raw.begin() + 32, raw.end()));
    EXPECT_THROW(ecdsa_signature_to_der(Bytes(63, 1)), Error);
}

TEST(HsmKeyHelpers, EcPointIsUnwrappedFromItsOctetString) {
    Bytes point(65, 0x11);
    point[0] = 0x04;
    Bytes wrapped(2 + point.size());
    wrapped[0] = 0x04;  // OCTET STRING, length 65
    wrapped[1] = 65;
    std::copy(point.begin(), point.end(), wrapped.begin() + 2);
    EXPECT_EQ(ec_point_from_attribute(wrapped), point);
    EXPECT_EQ(ec_point_from_attribute(point), point);
    EXPECT_EQ(curve_name_from_ec_params(ec_params_der(KeyAlgorithm::EcP256)), "prime256v1");
    EXPECT_EQ(curve_name_from_ec_params(ec_params_der(KeyAlgorithm::EcP384)), "secp384r1");
    EXPECT_EQ(parse_key_algorithm("rsa-3072"), KeyAlgorithm::Rsa3072);
    EXPECT_THROW(parse_key_algorithm("dsa-1024"), Error);
}

TEST(HsmKeyHelpers, DigestsHaveTheirSizes) {
    EXPECT_EQ(hex_encode(digest(DigestAlgorithm::Sha256, as_bytes("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(digest(DigestAlgorithm::Sha384, as_bytes("abc")).size(), 48u);
}

}  // namespace
}  // namespace inkan::hsm
