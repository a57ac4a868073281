#include "hsm/token_init.h"

#include <gtest/gtest.h>

#include "hsm/operations.h"
#include "hsm/status.h"
#include "tests/hsm/hsm_test_support.h"

namespace inkan::hsm {
namespace {

TEST(HsmTokenInit, InitialisesTheFreeSlotAndTheUserPinWorks) {
    inkan::test::SoftHsmToken softhsm("existing");  // SoftHSM then offers one free slot
    {
        Module module(softhsm.module_path());
        EXPECT_TRUE(token_exists(module, "existing"));
        EXPECT_FALSE(token_exists(module, "inkan-new"));
        initialize_token(module, "inkan-new", SecretString("so-pin-9876"),
                         SecretString("user-pin-5432"));
        EXPECT_TRUE(token_exists(module, "inkan-new"));
    }
    TokenConfig config = test::config_for(softhsm);
    config.token_label = "inkan-new";
    config.pin = SecretString("user-pin-5432");
    Token token(config);
    EXPECT_EQ(token.label(), "inkan-new");
    TokenStatus status = token_status(token);
    EXPECT_TRUE(status.initialized);
    EXPECT_TRUE(status.user_pin_initialized);
    EXPECT_EQ(generate_random(token, 4).size(), 4u);
}

}  // namespace
}  // namespace inkan::hsm
