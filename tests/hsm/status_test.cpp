#include "hsm/status.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "hsm/key_generation.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using HsmStatus = test::HsmTokenFixture;

const ObjectStatus& object_with(const std::vector<ObjectStatus>& objects,
                                const std::string& class_name, const Bytes& id) {
    auto it = std::find_if(objects.begin(), objects.end(), [&](const ObjectStatus& o) {
        return o.object_class == class_name && o.id_hex == hex_encode(id);
    });
    if (it == objects.end())
        throw std::runtime_error("status lacks " + class_name + " " + hex_encode(id));
    return *it;
}

TEST_F(HsmStatus, ListsSlotsAndTokenInfo) {
    auto slots = list_slots(token_->module());
    auto ours = std::find_if(slots.begin(), slots.end(),
                             [&](const SlotStatus& s) { return s.id == token_->slot_id(); });
    ASSERT_NE(ours, slots.end());
    EXPECT_TRUE(ours->token_present);
    EXPECT_EQ(ours->token_label, softhsm_.label());
    EXPECT_FALSE(ours->description.empty());

    TokenStatus t = token_status(*token_);
    EXPECT_EQ(t.label, softhsm_.label());
    EXPECT_EQ(t.serial, token_->serial());
    EXPECT_EQ(t.manufacturer, "SoftHSM project");
    EXPECT_EQ(t.model, "SoftHSM v2");
    EXPECT_TRUE(t.initialized);
    EXPECT_TRUE(t.login_required);
    EXPECT_TRUE(t.user_pin_initialized);
    EXPECT_FALSE(t.user_pin_locked);
    EXPECT_TRUE(t.has_rng);
}

TEST_F(HsmStatus, ListsEveryKeyWithItsAttributes) {
    EXPECT_TRUE(list_objects(*token_).empty());
    Bytes ca_id = random_key_id(*token_);
    Bytes hmac_id = random_key_id(*token_);
    Bytes aes_id = random_key_id(*token_);
    generate_signing_key_pair(*token_, KeyAlgorithm::EcP384, {"ca-key", ca_id});
    generate_hmac_key(*token_, {"pin-key", hmac_id});
    generate_aes_key(*token_, {"wrap-key", aes_id});

    auto objects = list_objects(*token_);
    EXPECT_EQ(objects.size(), 4u);

    const ObjectStatus& ca = object_with(objects, "private_key", ca_id);
    EXPECT_EQ(ca.key_type, "ec");
    EXPECT_EQ(ca.label, "ca-key");
    EXPECT_EQ(ca.curve, "secp384r1");
    EXPECT_EQ(ca.key_bits, 384u);
    EXPECT_EQ(ca.token, true);
    EXPECT_EQ(ca.is_private, true);
    EXPECT_EQ(ca.sensitive, true);
    EXPECT_EQ(ca.extractable, false);
    EXPECT_EQ(ca.never_extractable, true);
    EXPECT_EQ(ca.sign, true);
    EXPECT_EQ(ca.decrypt, false);
    EXPECT_EQ(ca.derive, false);

    const ObjectStatus& ca_pub = object_with(objects, "public_key", ca_id);
    EXPECT_EQ(ca_pub.curve, "secp384r1");
    EXPECT_EQ(ca_pub.verify, true);
    EXPECT_EQ(ca_pub.encrypt, false);
    EXPECT_EQ(ca_pub.is_private, false);

    const ObjectStatus& hmac = object_with(objects, "secret_key", hmac_id);
    EXPECT_EQ(hmac.key_type, "generic_secret");
    EXPECT_EQ(hmac.key_bits, 256u);
    EXPECT_EQ(hmac.sign, true);
    EXPECT_EQ(hmac.encrypt, false);
    EXPECT_EQ(hmac.extractable, false);

    const ObjectStatus& aes = object_with(objects, "secret_key", aes_id);
    EXPECT_EQ(aes.key_type, "aes");
    EXPECT_EQ(aes.key_bits, 256u);
    EXPECT_EQ(aes.encrypt, true);
    EXPECT_EQ(aes.decrypt, true);
    EXPECT_EQ(aes.sign, false);
    EXPECT_EQ(aes.wrap, false);
}

}  // namespace
}  // namespace inkan::hsm
