#include "hsm/token.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace inkan::hsm {
namespace {

CK_TOKEN_INFO token_info(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot) {
    CK_TOKEN_INFO info{};
    check_rv(fn->C_GetTokenInfo(slot, &info), "C_GetTokenInfo");
    return info;
}

}  // namespace

size_t effective_pool_size(size_t requested) noexcept {
    size_t size = requested != 0 ? requested : std::thread::hardware_concurrency();
    return std::max<size_t>(size, 2);
}

CK_SLOT_ID find_token_slot(const Module& module, const std::string& label,
                           const std::string& serial) {
    if (label.empty() && serial.empty()) {
        throw Error(ErrorCategory::InvalidInput, "hsm_token_not_configured",
                    "neither a token label nor a token serial is configured");
    }
    CK_FUNCTION_LIST* fn = module.functions();
    CK_ULONG count = 0;
    check_rv(fn->C_GetSlotList(CK_TRUE, nullptr, &count), "C_GetSlotList");
    std::vector<CK_SLOT_ID> slots(count);
    check_rv(fn->C_GetSlotList(CK_TRUE, slots.data(), &count), "C_GetSlotList");
    slots.resize(count);
    for (CK_SLOT_ID slot : slots) {
        CK_TOKEN_INFO info = token_info(fn, slot);
        if (!label.empty() && pkcs11_text(info.label, sizeof info.label) != label) continue;
        if (!serial.empty() && pkcs11_text(info.serialNumber, sizeof info.serialNumber) != serial)
            continue;
        return slot;
    }
    std::string wanted = label.empty() ? "serial \"" + serial + "\"" : "label \"" + label + "\"";
    if (!label.empty() && !serial.empty()) wanted += " and serial \"" + serial + "\"";
    throw Error(ErrorCategory::HsmUnavailable, "hsm_token_not_found",
                "no token with " + wanted + " in PKCS#11 module " + module.path());
}

Token::Token(const TokenConfig& config) try
    : module_(config.module_path),
      wanted_label_(config.token_label),
      wanted_serial_(config.token_serial),
      pool_(module_.functions(), find_token_slot(module_, wanted_label_, wanted_serial_),
            config.pin, effective_pool_size(config.pool_size), [this] { return reconnect(); }) {
    CK_TOKEN_INFO info = token_info(module_.functions(), pool_.slot());
    label_ = pkcs11_text(info.label, sizeof info.label);
    serial_ = pkcs11_text(info.serialNumber, sizeof info.serialNumber);
} catch (const CkError& e) {
    // Say which token refused the login; the code and category stay the CK_RV's.
    std::string token =
        "token \"" + (config.token_label.empty() ? config.token_serial : config.token_label) + "\"";
    if (e.code() == "hsm_pin_incorrect") {
        throw Error(e.category(), e.code(),
                    token + " rejected the user PIN (" + ck_rv_name(e.rv()) + ")");
    }
    if (e.code() == "hsm_pin_locked") {
        throw Error(
            e.category(), e.code(),
            token +
                ": the user PIN is locked; the security officer must reset it (CKR_PIN_LOCKED)");
    }
    throw;
}

CK_SLOT_ID Token::reconnect() {
    module_.reinitialize();
    return find_token_slot(module_, wanted_label_, wanted_serial_);
}

bool Token::after_failure(const CkError& e, bool first) {
    const CK_RV rv = e.rv();
    const bool token_gone = is_token_gone(rv);
    // These also happen with the token present (a handle made stale by closed
    // sessions, an operation left active): ask the token whether it is still there.
    const bool suspicious = is_session_lost(rv) || rv == CKR_OBJECT_HANDLE_INVALID ||
                            rv == CKR_KEY_HANDLE_INVALID || rv == CKR_GENERAL_ERROR;
    if (token_gone || (suspicious && !pool_.token_present())) {
        pool_.mark_lost(std::string(e.what()) + " on token \"" + label_ + "\"");
        throw pool_.unavailable_error();
    }
    return first && is_session_lost(rv);
}

void Token::key_vanished(const std::string& what) {
    pool_.mark_lost(what + " is no longer found on token \"" + label_ + "\"");
    throw pool_.unavailable_error();
}

}  // namespace inkan::hsm
