#include "hsm/key_pool.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "hsm/operations.h"
#include "hsm/public_key.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using HsmKeyPool = test::HsmTokenFixture;

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
    const KeyObject& priv = pair->private_key();
    // Waiting in the pool: a token object, private, exportable once, usable for nothing.
    EXPECT_EQ(priv.flag(CKA_TOKEN), true);
    EXPECT_EQ(priv.flag(CKA_PRIVATE), true);
    EXPECT_EQ(priv.flag(CKA_SENSITIVE), false);
    EXPECT_EQ(priv.flag(CKA_EXTRACTABLE), true);
    EXPECT_EQ(priv.flag(CKA_SIGN), false);
    EXPECT_EQ(priv.flag(CKA_DECRYPT), false);
    EXPECT_EQ(pair->public_key()->flag(CKA_VERIFY), false);
    EXPECT_EQ(priv.label(), std::string(kPoolKeyLabel) + " ec-p256");
    EvpPkeyPtr hsm_public = export_public_key(*pair->public_key());
    EvpPkeyPtr exported = pair->export_and_destroy();
    EXPECT_EQ(EVP_PKEY_eq(exported.get(), hsm_public.get()), 1);
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new(exported.get(), nullptr));
    EXPECT_EQ(EVP_PKEY_pairwise_check(check.get()), 1);
    EXPECT_EQ(test::count_objects_with_id(*token_, id), 0u) << "destroyed after the export";
    EXPECT_EQ(pool.available(), 2u);
    EXPECT_TRUE(pool.fill_one()) << "room again";
    auto counts = count_pool_keys(*token_);
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts[0].first, "ec-p256");
    EXPECT_EQ(counts[0].second, 3u);
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
    taken_elsewhere->export_and_destroy();

    std::set<Bytes> ids;
    while (auto pair = pool.take()) {
        EXPECT_NE(pair->id(), gone);
        EXPECT_EQ(pair->private_key().id(), pair->id());
        EXPECT_EQ(pair->public_key()->id(), pair->id());
        EXPECT_TRUE(pair->export_and_destroy());
        ids.insert(pair->id());
    }
    EXPECT_EQ(ids.size(), 2u);
    EXPECT_EQ(pool.available(), 0u);
}

}  // namespace
}  // namespace inkan::hsm
