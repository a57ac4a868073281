#include "hsm/ck_error.h"

#include <gtest/gtest.h>

namespace inkan::hsm {
namespace {

TEST(HsmCkError, PinErrorsAreForbiddenWithStableCode) {
    for (CK_RV rv : {CKR_PIN_INCORRECT, CKR_PIN_LEN_RANGE}) {
        CkError e(rv, "C_Login");
        EXPECT_EQ(e.code(), "hsm_pin_incorrect");
        EXPECT_EQ(e.category(), ErrorCategory::Forbidden);
        EXPECT_EQ(e.rv(), rv);
        EXPECT_NE(std::string(e.what()).find(ck_rv_name(rv)), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("C_Login"), std::string::npos) << e.what();
    }
}

TEST(HsmCkError, CodesAndCategoriesFollowTheCkRvName) {
    EXPECT_EQ(CkError(CKR_PIN_LOCKED, "C_Login").code(), "hsm_pin_locked");
    EXPECT_EQ(CkError(CKR_PIN_LOCKED, "C_Login").category(), ErrorCategory::Locked);
    EXPECT_EQ(CkError(CKR_ATTRIBUTE_SENSITIVE, "x").code(), "hsm_attribute_sensitive");
    EXPECT_EQ(CkError(CKR_TOKEN_NOT_PRESENT, "x").category(), ErrorCategory::HsmUnavailable);
    EXPECT_EQ(CkError(CKR_DEVICE_ERROR, "x").code(), "hsm_device_error");
    EXPECT_EQ(CkError(CKR_DEVICE_ERROR, "x").category(), ErrorCategory::HsmUnavailable);
    EXPECT_EQ(CkError(CKR_GENERAL_ERROR, "x").category(), ErrorCategory::Internal);
    EXPECT_EQ(ck_rv_name(CKR_SESSION_HANDLE_INVALID), "CKR_SESSION_HANDLE_INVALID");
    EXPECT_EQ(ck_rv_name(CKR_VENDOR_DEFINED + 5), "CKR_VENDOR_DEFINED+0x5");
    EXPECT_EQ(CkError(CKR_VENDOR_DEFINED + 5, "x").code(), "hsm_vendor_defined_0x5");
}

TEST(HsmCkError, OnlyLostSessionsAreRetried) {
    EXPECT_TRUE(is_session_lost(CKR_SESSION_HANDLE_INVALID));
    EXPECT_TRUE(is_session_lost(CKR_SESSION_CLOSED));
    EXPECT_TRUE(is_session_lost(CKR_DEVICE_ERROR));
    EXPECT_TRUE(is_session_lost(CKR_OPERATION_ACTIVE));
    EXPECT_FALSE(is_session_lost(CKR_PIN_INCORRECT));
    EXPECT_FALSE(is_session_lost(CKR_KEY_HANDLE_INVALID));
    EXPECT_NO_THROW(check_rv(CKR_OK, "C_Sign"));
    EXPECT_THROW(check_rv(CKR_FUNCTION_FAILED, "C_Sign"), Error);
}

}  // namespace
}  // namespace inkan::hsm
