// A token that goes away and comes back (README "HSM faults"): SoftHSM's token
// directory moved away under a running Token, then moved back. Root ignores
// file permissions, so the chmod variant runs the real binary as an
// unprivileged user (tests/appliance/hsm_fault_test.cpp).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "hsm/key_generation.h"
#include "hsm/operations.h"
#include "hsm/public_key.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using test::config_for;

void expect_unavailable(const std::function<void()>& op) {
    try {
        op();
        ADD_FAILURE() << "the operation worked without the token";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), ErrorCategory::HsmUnavailable) << e.code() << ": " << e.what();
        EXPECT_EQ(e.code(), "hsm_unavailable") << e.what();
        EXPECT_GE(e.retry_after_seconds(), 1);
        EXPECT_NE(std::string(e.what()).find("retry in"), std::string::npos) << e.what();
    }
}

// Polls the readiness probe as /readyz does until the token answers again.
bool wait_until_available(Token& token, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (token.health(true).state == HsmState::Ok) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
}

TEST(HsmTokenFault, TokenDirectoryMovedAwayIsUnavailableAndItsReturnRecoversWithoutRestart) {
    inkan::test::SoftHsmToken softhsm;
    Token token(config_for(softhsm));
    KeyPair pair =
        generate_signing_key_pair(token, KeyAlgorithm::EcP256, {"ca", random_key_id(token)});
    EvpPkeyPtr public_key = export_public_key(pair.public_key);
    StableKey ca(token, CKO_PRIVATE_KEY, pair.private_key.id());
    KeyObject hmac = generate_hmac_key(token, {"pin-key", random_key_id(token)});
    StableKey mac(token, CKO_SECRET_KEY, hmac.id());
    Bytes mac_before =
        mac.use([](const KeyObject& k) { return hmac_sha256(k, as_bytes("input")); });
    auto sign = [&](const Bytes& message) {
        return ca.use(
            [&](const KeyObject& k) { return sign_ecdsa(k, DigestAlgorithm::Sha256, message); });
    };
    ASSERT_EQ(token.health(true).state, HsmState::Ok);

    auto tokens = softhsm.dir() / "tokens";
    std::filesystem::rename(tokens, softhsm.dir() / "tokens.away");
    expect_unavailable([&] { sign(Bytes{1, 2, 3}); });
    expect_unavailable(
        [&] { mac.use([](const KeyObject& k) { return hmac_sha256(k, as_bytes("input")); }); });
    HsmHealth down = token.health(true);
    EXPECT_EQ(down.state, HsmState::Unavailable);
    EXPECT_FALSE(down.reason.empty());
    EXPECT_GE(down.retry_after_seconds, 1);
    // Never "key not found" while the token is away: the key is not gone.
    expect_unavailable([&] { find_private_key(token, {pair.private_key.id(), {}}); });

    std::filesystem::rename(softhsm.dir() / "tokens.away", tokens);
    ASSERT_TRUE(wait_until_available(token, std::chrono::seconds(45)))
        << token.health(false).reason;
    EXPECT_GE(token.health(false).reconnections, 1u);
    Bytes message = {7, 7, 7};
    Bytes signature = sign(message);
    EXPECT_TRUE(test::verify_signature(public_key.get(), EVP_sha256(), message, signature));
    EXPECT_EQ(mac.use([](const KeyObject& k) { return hmac_sha256(k, as_bytes("input")); }),
              mac_before);
    EXPECT_EQ(generate_random(token, 16).size(), 16u);
}

// A handle found before a reconnection is not used afterwards: it could name
// another object in the re-initialised module.
TEST(HsmTokenFault, HandlesFoundBeforeAReconnectionAreStale) {
    inkan::test::SoftHsmToken softhsm;
    Token token(config_for(softhsm));
    KeyObject hmac = generate_hmac_key(token, {"mac", random_key_id(token)});
    Bytes id = hmac.id();
    auto tokens = softhsm.dir() / "tokens";
    std::filesystem::rename(tokens, softhsm.dir() / "tokens.away");
    EXPECT_EQ(token.health(true).state, HsmState::Unavailable);
    std::filesystem::rename(softhsm.dir() / "tokens.away", tokens);
    ASSERT_TRUE(wait_until_available(token, std::chrono::seconds(45)));
    try {
        hmac_sha256(hmac, as_bytes("x"));
        FAIL() << "a stale handle was used";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_key_stale");
        EXPECT_EQ(e.category(), ErrorCategory::HsmUnavailable);
    }
    KeyObject again = find_secret_key(token, {id, {}});
    EXPECT_EQ(hmac_sha256(again, as_bytes("x")).size(), 32u);
}

// SoftHSM's C_Initialize fails (CKR_GENERAL_ERROR) without its token directory:
// an HSM problem that says what to check, not an internal error.
TEST(HsmTokenFault, MissingTokenDirectoryAtStartIsHsmUnavailable) {
    inkan::test::SoftHsmToken softhsm;
    std::filesystem::rename(softhsm.dir() / "tokens", softhsm.dir() / "tokens.away");
    try {
        Token token(config_for(softhsm));
        FAIL() << "the token opened without its directory";
    } catch (const Error& e) {
        EXPECT_EQ(e.category(), ErrorCategory::HsmUnavailable) << e.what();
        EXPECT_EQ(e.code(), "hsm_module_init_failed") << e.what();
        EXPECT_NE(std::string(e.what()).find("token directory"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace inkan::hsm
