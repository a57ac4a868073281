// The one place that checks a PKCS#11 return value (Botan's handle_return_value).
// Every CK_RV other than CKR_OK becomes an hsm::CkError, an inkan::Error whose code
// is "hsm_" + the lower-case CK_RV name without "CKR_" (CKR_PIN_INCORRECT ->
// "hsm_pin_incorrect") and whose message names the PKCS#11 function and the CK_RV.
// Messages never contain a PIN or key material: only function and CK_RV names.
#pragma once

#include <p11-kit/pkcs11.h>

#include <string>
#include <string_view>

#include "common/error.h"

namespace inkan::hsm {

// "CKR_PIN_INCORRECT"; "CKR_VENDOR_DEFINED+0x..." / "CKR_0x..." for unknown values.
std::string ck_rv_name(CK_RV rv);

// The category a CK_RV belongs to (PIN wrong -> Forbidden, PIN locked -> Locked,
// token gone / device error -> HsmUnavailable, bad data -> InvalidInput, ...).
ErrorCategory ck_rv_category(CK_RV rv) noexcept;

// inkan::Error that also keeps the raw CK_RV, so the session pool can tell a lost
// session (re-open and retry) from any other failure. Catch it as inkan::Error.
class CkError : public Error {
  public:
    CkError(CK_RV rv, std::string_view function);
    CK_RV rv() const noexcept { return rv_; }

  private:
    CK_RV rv_;
};

// Throws CkError unless rv == CKR_OK. `function` names the PKCS#11 call ("C_Sign").
inline void check_rv(CK_RV rv, std::string_view function) {
    if (rv != CKR_OK) throw CkError(rv, function);
}

// True for the return values after which the session must be re-opened (and the
// user logged in again) before the operation is retried once:
// CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_ERROR,
// CKR_USER_NOT_LOGGED_IN, and CKR_OPERATION_ACTIVE (an earlier call failed before
// it ended its operation; a new session has none active).
bool is_session_lost(CK_RV rv) noexcept;

// True for the return values that say the token itself is gone or broken:
// CKR_TOKEN_NOT_PRESENT, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_RECOGNIZED,
// CKR_CRYPTOKI_NOT_INITIALIZED (a failed re-initialisation).
bool is_token_gone(CK_RV rv) noexcept;

}  // namespace inkan::hsm
