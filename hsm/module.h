// A PKCS#11 module loaded through p11-kit in managed mode: p11-kit initialises the
// module with OS locking (never C_Initialize(NULL), which makes SoftHSM
// thread-unsafe) and reference-counts initialisation, so several Module objects
// on the same library are fine. RAII: finalised and released on destruction.
#pragma once

#include <p11-kit/pkcs11.h>

#include <string>

namespace inkan::hsm {

class Module {
  public:
    // Throws Error(HsmUnavailable, "hsm_module_load_failed") when the library cannot
    // be loaded, Error(HsmUnavailable, "hsm_module_init_failed") when C_Initialize
    // fails (SoftHSM: its token directory is missing or unreadable).
    explicit Module(const std::string& path);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    CK_FUNCTION_LIST* functions() const noexcept { return functions_; }
    // C_Finalize then C_Initialize: the module forgets every session and reads
    // its tokens again (SoftHSM reads its token directory only at C_Initialize).
    // Only while nothing else uses the module. Throws as the constructor does.
    void reinitialize();
    const std::string& path() const noexcept { return path_; }

  private:
    std::string path_;
    CK_FUNCTION_LIST* functions_ = nullptr;
    bool initialized_ = false;
};

// A fixed-width, space-padded PKCS#11 text field (labels, serials) as a trimmed string.
std::string pkcs11_text(const unsigned char* field, size_t width);

}  // namespace inkan::hsm
