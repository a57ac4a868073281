#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "hsm/key_generation.h"
#include "hsm/operations.h"
#include "hsm/public_key.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using HsmPool = test::HsmTokenFixture;

TEST_F(HsmPool, EightThreadsSignAndDrawRandomThroughTwoSessions) {
    ASSERT_EQ(token_->pool_size(), 2u);
    KeyPair key = generate_signing_key_pair(*token_, KeyAlgorithm::EcP256,
                                            {"pool-ec", random_key_id(*token_)});
    EvpPkeyPtr public_key = export_public_key(key.public_key);

    constexpr int kThreads = 8;
    constexpr int kPerThread = 150;
    struct Result {
        std::vector<Bytes> messages, signatures, randoms;
        std::string error;
    };
    std::vector<Result> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                for (int i = 0; i < kPerThread; ++i) {
                    std::string message =
                        "thread " + std::to_string(t) + " message " + std::to_string(i);
                    results[t].signatures.push_back(
                        sign_ecdsa(key.private_key, DigestAlgorithm::Sha256, as_bytes(message)));
                    results[t].messages.emplace_back(message.begin(), message.end());
                    results[t].randoms.push_back(generate_random(*token_, 16));
                }
            } catch (const std::exception& e) {
                results[t].error = e.what();
            }
        });
    }
    for (auto& th : threads) th.join();

    std::set<Bytes> distinct_randoms;
    for (const Result& r : results) {
        ASSERT_EQ(r.error, "");
        ASSERT_EQ(r.signatures.size(), static_cast<size_t>(kPerThread));
        for (size_t i = 0; i < r.signatures.size(); ++i) {
            ASSERT_TRUE(test::verify_signature(public_key.get(), EVP_sha256(), r.messages[i],
                                               r.signatures[i]));
        }
        distinct_randoms.insert(r.randoms.begin(), r.randoms.end());
    }
    EXPECT_EQ(distinct_randoms.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(HsmPool, SessionsClosedBehindThePoolAreReopened) {
    KeyPair key = generate_signing_key_pair(*token_, KeyAlgorithm::EcP256,
                                            {"reopen", random_key_id(*token_)});
    EvpPkeyPtr public_key = export_public_key(key.public_key);
    std::set<CK_SESSION_HANDLE> closed;
    {
        SessionLease a = token_->lease();
        SessionLease b = token_->lease();
        for (const SessionLease* lease : {&a, &b}) {
            Session s = lease->session();
            ASSERT_EQ(s.fn->C_CloseSession(s.handle), CKR_OK);
            closed.insert(s.handle);
        }
    }
    Bytes message = {1, 2, 3};
    Bytes signature = sign_ecdsa(key.private_key, DigestAlgorithm::Sha256, message);
    EXPECT_TRUE(test::verify_signature(public_key.get(), EVP_sha256(), message, signature));

    // The session that served the signature is a new one.
    SessionLease a = token_->lease();
    SessionLease b = token_->lease();
    EXPECT_TRUE(closed.count(a.session().handle) == 0 || closed.count(b.session().handle) == 0);
}

TEST_F(HsmPool, AllSessionsClosedMeansLoginAgain) {
    KeyObject hmac = generate_hmac_key(*token_, {"pin-key", random_key_id(*token_)});
    Bytes id = hmac.id();
    Bytes before = hmac_sha256(hmac, as_bytes("input"));

    // Closing every session of the slot also logs the user out (the anchor too).
    ASSERT_EQ(token_->functions()->C_CloseAllSessions(token_->slot_id()), CKR_OK);

    // A private object can only be found again after the pool logged in again.
    KeyObject again = find_secret_key(*token_, {id, {}});
    EXPECT_EQ(hmac_sha256(again, as_bytes("input")), before);
    EXPECT_EQ(generate_random(*token_, 16).size(), 16u);
}

TEST_F(HsmPool, StableKeyOutlivesLosingEverySession) {
    KeyPair pair =
        generate_signing_key_pair(*token_, KeyAlgorithm::EcP256, {"ca", random_key_id(*token_)});
    EvpPkeyPtr public_key = export_public_key(pair.public_key);
    StableKey ca(*token_, CKO_PRIVATE_KEY, pair.private_key.id());
    EXPECT_EQ(ca.key().handle(), pair.private_key.handle());

    ASSERT_EQ(token_->functions()->C_CloseAllSessions(token_->slot_id()), CKR_OK);
    // SoftHSM forgets object handles with the last session: the borrowed handle is dead...
    try {
        sign_ecdsa(pair.private_key, DigestAlgorithm::Sha256, Bytes{1});
        FAIL() << "expected the old handle to be invalid";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_object_handle_invalid");
    }
    // ...but the stable key finds itself again by CKA_ID.
    Bytes message = {7, 7, 7};
    Bytes signature =
        ca.use([&](const KeyObject& k) { return sign_ecdsa(k, DigestAlgorithm::Sha256, message); });
    EXPECT_TRUE(test::verify_signature(public_key.get(), EVP_sha256(), message, signature));
}

TEST_F(HsmPool, SessionsLeftWithAnActiveOperationAreReopened) {
    KeyObject hmac = generate_hmac_key(*token_, {"mac", random_key_id(*token_)});
    Bytes expected = hmac_sha256(hmac, as_bytes("data"));
    {
        SessionLease a = token_->lease();
        SessionLease b = token_->lease();
        for (const SessionLease* lease : {&a, &b}) {
            Session s = lease->session();
            CK_MECHANISM mech{CKM_SHA256_HMAC, nullptr, 0};
            ASSERT_EQ(s.fn->C_SignInit(s.handle, &mech, hmac.handle()), CKR_OK);  // never finished
        }
    }
    EXPECT_EQ(hmac_sha256(hmac, as_bytes("data")), expected);
    EXPECT_EQ(hmac_sha256(hmac, as_bytes("data")), expected);
}

TEST_F(HsmPool, LeaseWaitsWhileAllSessionsAreBusy) {
    auto first = std::make_unique<SessionLease>(token_->lease());
    SessionLease second = token_->lease();
    std::atomic<bool> done{false};
    std::thread waiter([&] {
        generate_random(*token_, 8);
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    EXPECT_FALSE(done.load()) << "an operation ran although every session was lent";
    first.reset();
    waiter.join();
    EXPECT_TRUE(done.load());
}

}  // namespace
}  // namespace inkan::hsm
