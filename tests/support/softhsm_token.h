// A throwaway SoftHSM2 token in a temp dir for one test process. Sets
// SOFTHSM2_CONF for this process (SoftHSM reads it at C_Initialize), so create
// it before the module is loaded. One token per process: gtest_discover_tests
// runs every test case in its own process.
#pragma once

#include <string>

#include "tests/support/temp_dir.h"

namespace inkan::test {

inline constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

class SoftHsmToken {
  public:
    explicit SoftHsmToken(std::string label = "inkan-test");

    const std::string& label() const { return label_; }
    const std::string& user_pin() const { return user_pin_; }
    const std::string& so_pin() const { return so_pin_; }
    std::string module_path() const { return kSoftHsmModule; }
    std::string conf_path() const { return (dir_ / "softhsm2.conf").string(); }
    const TempDir& dir() const { return dir_; }

  private:
    TempDir dir_;
    std::string label_;
    std::string user_pin_ = "123456";
    std::string so_pin_ = "12345678";
};

}  // namespace inkan::test
