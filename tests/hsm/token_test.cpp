#include "hsm/token.h"

#include <gtest/gtest.h>

#include "hsm/operations.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

using test::config_for;

TEST(HsmToken, OpensWithTheRightPinAndFindsTheTokenByLabel) {
    inkan::test::SoftHsmToken softhsm("inkan-ca");
    Token token(config_for(softhsm, 3));
    EXPECT_EQ(token.label(), "inkan-ca");
    EXPECT_FALSE(token.serial().empty());
    EXPECT_EQ(token.pool_size(), 3u);
    EXPECT_EQ(generate_random(token, 32).size(), 32u);
}

TEST(HsmToken, WrongPinIsPinIncorrectAfterOneAttempt) {
    inkan::test::SoftHsmToken softhsm;
    TokenConfig config = config_for(softhsm);
    config.pin = SecretString("wrong-pin-4711");
    try {
        Token token(config);
        FAIL() << "a wrong PIN opened the token";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_pin_incorrect");
        EXPECT_EQ(e.category(), ErrorCategory::Forbidden);
        EXPECT_EQ(std::string(e.what()).find("4711"), std::string::npos)
            << "PIN leaked: " << e.what();
        EXPECT_NE(std::string(e.what()).find("CKR_PIN_INCORRECT"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(softhsm.label()), std::string::npos) << e.what();
    }
    // Exactly one failed attempt: the right PIN still works afterwards.
    Token token(config_for(softhsm));
    EXPECT_EQ(generate_random(token, 8).size(), 8u);
}

TEST(HsmToken, UnknownTokenLabelIsAClearError) {
    inkan::test::SoftHsmToken softhsm("inkan-real");
    TokenConfig config = config_for(softhsm);
    config.token_label = "no-such-token";
    try {
        Token token(config);
        FAIL() << "opened a token that does not exist";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_token_not_found");
        EXPECT_EQ(e.category(), ErrorCategory::HsmUnavailable);
        EXPECT_NE(std::string(e.what()).find("no-such-token"), std::string::npos) << e.what();
    }
}

TEST(HsmToken, FindsTheTokenBySerial) {
    inkan::test::SoftHsmToken softhsm;
    Token by_label(config_for(softhsm));
    TokenConfig config = config_for(softhsm);
    config.token_label.clear();
    config.token_serial = by_label.serial();
    Token by_serial(config);  // second login on the same token counts as success
    EXPECT_EQ(by_serial.slot_id(), by_label.slot_id());
    EXPECT_EQ(by_serial.label(), softhsm.label());

    config.token_serial = "0000000000000000";
    EXPECT_THROW(
        {
            try {
                Token none(config);
            } catch (const Error& e) {
                EXPECT_EQ(e.code(), "hsm_token_not_found");
                throw;
            }
        },
        Error);
}

TEST(HsmToken, BadModulePathIsHsmUnavailable) {
    inkan::test::SoftHsmToken softhsm;
    TokenConfig config = config_for(softhsm);
    config.module_path = "/nonexistent/libno-such-pkcs11.so";
    try {
        Token token(config);
        FAIL() << "loaded a module that does not exist";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_module_load_failed");
        EXPECT_EQ(e.category(), ErrorCategory::HsmUnavailable);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/libno-such-pkcs11.so"),
                  std::string::npos);
    }
}

TEST(HsmToken, PoolSizeZeroMeansCoresButAtLeastTwo) {
    EXPECT_GE(effective_pool_size(0), 2u);
    EXPECT_EQ(effective_pool_size(1), 2u);
    EXPECT_EQ(effective_pool_size(5), 5u);
}

}  // namespace
}  // namespace inkan::hsm
