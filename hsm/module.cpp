#include "hsm/module.h"

#include <p11-kit/p11-kit.h>

#include <cstdlib>

#include "common/error.h"
#include "hsm/ck_error.h"

namespace inkan::hsm {
namespace {

Error initialize_failed(const std::string& path, CK_RV rv) {
    std::string message =
        "the PKCS#11 module " + path + " did not initialise (C_Initialize: " + ck_rv_name(rv) + ")";
    if (const char* conf = std::getenv("SOFTHSM2_CONF")) {
        message += "; SoftHSM fails so when the token directory named in " + std::string(conf) +
                   " is missing or unreadable: restore it (inkan restore) or fix its owner "
                   "and permissions";
    }
    return Error(ErrorCategory::HsmUnavailable, "hsm_module_init_failed", message);
}

}  // namespace

Module::Module(const std::string& path) : path_(path) {
    functions_ = p11_kit_module_load(path.c_str(), 0);
    if (functions_ == nullptr) {
        const char* detail = p11_kit_message();
        throw Error(
            ErrorCategory::HsmUnavailable, "hsm_module_load_failed",
            "cannot load PKCS#11 module " + path + (detail ? std::string(": ") + detail : ""));
    }
    CK_RV rv = p11_kit_module_initialize(functions_);
    if (rv != CKR_OK) {
        p11_kit_module_release(functions_);
        functions_ = nullptr;
        throw initialize_failed(path_, rv);
    }
    initialized_ = true;
}

void Module::reinitialize() {
    if (initialized_) p11_kit_module_finalize(functions_);
    initialized_ = false;
    CK_RV rv = p11_kit_module_initialize(functions_);
    if (rv != CKR_OK) throw initialize_failed(path_, rv);
    initialized_ = true;
}

Module::~Module() {
    if (functions_ == nullptr) return;
    if (initialized_) p11_kit_module_finalize(functions_);
    p11_kit_module_release(functions_);
}

std::string pkcs11_text(const unsigned char* field, size_t width) {
    std::string s(reinterpret_cast<const char*>(field), width);
    size_t end = s.find_last_not_of(std::string(" \0", 2));
    return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

}  // namespace inkan::hsm
