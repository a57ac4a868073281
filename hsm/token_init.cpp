#include "hsm/token_init.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/error.h"
#include "hsm/ck_error.h"

namespace inkan::hsm {
namespace {

std::vector<CK_SLOT_ID> slots(CK_FUNCTION_LIST* fn) {
    CK_ULONG count = 0;
    check_rv(fn->C_GetSlotList(CK_FALSE, nullptr, &count), "C_GetSlotList");
    std::vector<CK_SLOT_ID> ids(count);
    check_rv(fn->C_GetSlotList(CK_FALSE, ids.data(), &count), "C_GetSlotList");
    ids.resize(count);
    return ids;
}

CK_UTF8CHAR_PTR utf8(const SecretString& s) {
    return reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(s.str().data()));
}

}  // namespace

bool token_exists(const Module& module, const std::string& label) {
    auto* fn = module.functions();
    for (auto slot : slots(fn)) {
        CK_TOKEN_INFO info;
        if (fn->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
        if ((info.flags & CKF_TOKEN_INITIALIZED) &&
            pkcs11_text(info.label, sizeof info.label) == label) {
            return true;
        }
    }
    return false;
}

void initialize_token(const Module& module, const std::string& label, const SecretString& so_pin,
                      const SecretString& user_pin) {
    auto* fn = module.functions();
    for (auto slot : slots(fn)) {
        CK_TOKEN_INFO info;
        if (fn->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
        if (info.flags & CKF_TOKEN_INITIALIZED) continue;
        CK_UTF8CHAR padded[32];
        std::memset(padded, ' ', sizeof padded);
        std::memcpy(padded, label.data(), std::min(label.size(), sizeof padded));
        check_rv(fn->C_InitToken(slot, utf8(so_pin), so_pin.size(), padded), "C_InitToken");
        CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
        check_rv(fn->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                   &session),
                 "C_OpenSession");
        CK_RV rv = fn->C_Login(session, CKU_SO, utf8(so_pin), so_pin.size());
        if (rv == CKR_OK) rv = fn->C_InitPIN(session, utf8(user_pin), user_pin.size());
        fn->C_Logout(session);
        fn->C_CloseSession(session);
        check_rv(rv, "C_InitPIN");
        return;
    }
    throw Error(ErrorCategory::HsmUnavailable, "hsm_no_free_slot",
                "the HSM module has no free slot to initialise a token in");
}

}  // namespace inkan::hsm
