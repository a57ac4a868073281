#include "hsm/key_pool.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "hsm/key_templates.h"
#include "hsm/operations.h"
#include "hsm/public_key.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using HsmKeyPool = test::HsmTokenFixture;

// The exported key is a whole key pair: OpenSSL's pairwise check recomputes the
// public half from the private one (EC: scalar × G; RSA: n = p·q, e·d ≡ 1).
void expect_consistent_key_pair(EVP_PKEY* key, int base_id, int bits) {
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(EVP_PKEY_get_base_id(key), base_id);
    EXPECT_EQ(EVP_PKEY_get_bits(key), bits);
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new(key, nullptr));
    EXPECT_EQ(EVP_PKEY_pairwise_check(check.get()), 1) << "exported key pair is inconsistent";
}

TEST_F(HsmKeyPool, FillsToItsTargetAndHandsEachPairOutOnceForOneExport) {
    KeyPool pool(*token_, KeyAlgorithm::EcP256, 3);
    EXPECT_EQ(pool.available(), 0u);
    EXPECT_FALSE(pool.take()) << "an empty pool hands out nothing";
    while (pool.fill_one()) {
    }
    EXPECT_EQ(pool.available(), 3u);
    EXPECT_FALSE(pool.fill_one()) << "full";
    KeyPool other_type(*token_, KeyAlgorithm::EcP384, 1);
    EXPECT_EQ(other_type.available(), 0u) << "a pool counts its own algorithm only";

    auto pair = pool.take();
    ASSERT_TRUE(pair);
    const Bytes id = pair->id();
    EXPECT_EQ(pool.available(), 2u) << "taken, though still in the token";
    EXPECT_EQ(test::count_objects_with_id(*token_, id), 1u) << "the private key alone";
    EXPECT_EQ(pair->public_key(), nullptr);
    const KeyObject& priv = pair->private_key();
    // Waiting in the pool: a token object, private, exportable once, usable for nothing.
    EXPECT_EQ(priv.flag(CKA_TOKEN), true);
    EXPECT_EQ(priv.flag(CKA_PRIVATE), true);
    EXPECT_EQ(priv.flag(CKA_SENSITIVE), false);
    EXPECT_EQ(priv.flag(CKA_EXTRACTABLE), true);
    EXPECT_EQ(priv.flag(CKA_SIGN), false);
    EXPECT_EQ(priv.flag(CKA_DECRYPT), false);
    EXPECT_EQ(priv.label(), std::string(kPoolKeyLabel) + " ec-p256");
    EvpPkeyPtr exported = pair->export_and_destroy();
    expect_consistent_key_pair(exported.get(), EVP_PKEY_EC, 256);
    EXPECT_EQ(test::count_objects_with_id(*token_, id), 0u) << "destroyed after the export";
    EXPECT_EQ(pool.available(), 2u);
    EXPECT_TRUE(pool.fill_one()) << "room again";
    auto counts = count_pool_keys(*token_);
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts[0].first, "ec-p256");
    EXPECT_EQ(counts[0].second, 3u);
}

// A pool member's public key is made as a session object (no file: destroying
// it does not make SoftHSM rescan the token directory); the private key is the
// member.
TEST_F(HsmKeyPool, AMembersPublicHalfIsMadeAsASessionObject) {
    KeySpec spec{std::string(kPoolKeyLabel) + " ec-p256", random_key_id(*token_)};
    KeyPairTemplates t = key_pair_templates(KeyAlgorithm::EcP256, spec, KeyPairUse::PooledKey);
    KeyPair made = generate_key_pair(*token_, KeyAlgorithm::EcP256, t);
    EXPECT_EQ(made.private_key.flag(CKA_TOKEN), true);
    EXPECT_EQ(made.public_key.flag(CKA_TOKEN), false);
    made.public_key.destroy();
    made.private_key.destroy();
}

TEST_F(HsmKeyPool, ConcurrentTakersNeverShareAPair) {
    KeyPool pool(*token_, KeyAlgorithm::EcP256, 8);
    while (pool.fill_one()) {
    }
    std::mutex m;
    std::vector<Bytes> ids;
    auto taker = [&] {
        while (auto pair = pool.take()) {
            Bytes id = pair->id();
            pair->export_and_destroy();
            std::lock_guard lock(m);
            ids.push_back(id);
        }
    };
    std::thread a(taker), b(taker);
    taker();
    a.join();
    b.join();
    EXPECT_EQ(ids.size(), 8u);
    EXPECT_EQ(std::set<Bytes>(ids.begin(), ids.end()).size(), 8u);
    EXPECT_EQ(pool.available(), 0u);
}

// The pool keeps the handles of the pairs it made; a pair that another taker
// (here a second pool on the same token, as another process would) destroyed
// meanwhile is skipped, never handed out half-gone.
TEST_F(HsmKeyPool, APairAnotherTakerDestroyedIsSkipped) {
    KeyPool pool(*token_, KeyAlgorithm::EcP256, 3);
    while (pool.fill_one()) {
    }
    KeyPool other(*token_, KeyAlgorithm::EcP256, 0);  // finds the three by searching
    auto taken_elsewhere = other.take();
    ASSERT_TRUE(taken_elsewhere);
    const Bytes gone = taken_elsewhere->id();
    EXPECT_EQ(taken_elsewhere->public_key(), nullptr) << "found again: no public object";
    taken_elsewhere->export_and_destroy();
    EXPECT_EQ(test::count_objects_with_id(*token_, gone), 0u);

    std::set<Bytes> ids;
    while (auto pair = pool.take()) {
        EXPECT_NE(pair->id(), gone);
        EXPECT_EQ(pair->private_key().id(), pair->id());
        EXPECT_EQ(pair->public_key(), nullptr);
        EXPECT_TRUE(pair->export_and_destroy());
        ids.insert(pair->id());
    }
    EXPECT_EQ(ids.size(), 2u);
    EXPECT_EQ(pool.available(), 0u);
}

// RSA needs nothing but the private object: its public half is the private
// object's own modulus and exponent.
TEST_F(HsmKeyPool, AnRsaMemberIsOneObjectAndExportsAWholeKeyPair) {
    KeyPool pool(*token_, KeyAlgorithm::Rsa2048, 1);
    ASSERT_TRUE(pool.fill_one());
    auto pair = pool.take();
    ASSERT_TRUE(pair);
    const Bytes id = pair->id();
    EXPECT_EQ(test::count_objects_with_id(*token_, id), 1u);
    EXPECT_EQ(pair->public_key(), nullptr);
    EvpPkeyPtr hsm_public = export_public_key(pair->private_key());
    EvpPkeyPtr exported = pair->export_and_destroy();
    expect_consistent_key_pair(exported.get(), EVP_PKEY_RSA, 2048);
    EXPECT_EQ(EVP_PKEY_eq(exported.get(), hsm_public.get()), 1) << "public halves differ";
    EXPECT_EQ(test::count_objects_with_id(*token_, id), 0u);
}

// A pair an earlier version put in the pool: the private key and a public key,
// both token objects with the pool label and CKA_ID. It is taken like any
// member, its public point (computed at export) is the HSM's, and both objects
// are destroyed.
TEST_F(HsmKeyPool, APairAnEarlierVersionMadeIsTakenAndBothObjectsDestroyed) {
    KeySpec spec{std::string(kPoolKeyLabel) + " ec-p256", random_key_id(*token_)};
    KeyPairTemplates t = key_pair_templates(KeyAlgorithm::EcP256, spec, KeyPairUse::PooledKey);
    // The public half as a token object (the signing key's template has CKA_TOKEN true).
    t.public_key = std::move(
        key_pair_templates(KeyAlgorithm::EcP256, spec, KeyPairUse::HsmSigningKey).public_key);
    generate_key_pair(*token_, KeyAlgorithm::EcP256, t);
    ASSERT_EQ(test::count_objects_with_id(*token_, spec.id), 2u);

    KeyPool pool(*token_, KeyAlgorithm::EcP256, 1);
    EXPECT_EQ(pool.available(), 1u);
    auto pair = pool.take();
    ASSERT_TRUE(pair);
    EXPECT_EQ(pair->id(), spec.id);
    ASSERT_NE(pair->public_key(), nullptr) << "the public token object is owned too";
    EXPECT_EQ(pair->public_key()->flag(CKA_TOKEN), true);
    EvpPkeyPtr hsm_public = export_public_key(*pair->public_key());
    EvpPkeyPtr exported = pair->export_and_destroy();
    expect_consistent_key_pair(exported.get(), EVP_PKEY_EC, 256);
    EXPECT_EQ(EVP_PKEY_eq(exported.get(), hsm_public.get()), 1) << "public halves differ";
    EXPECT_EQ(test::count_objects_with_id(*token_, spec.id), 0u);
    EXPECT_FALSE(pool.take());
}

}  // namespace
}  // namespace inkan::hsm
