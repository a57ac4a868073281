#include "tests/support/softhsm_token.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tests/support/run.h"

namespace inkan::test {

SoftHsmToken::SoftHsmToken(std::string label) : label_(std::move(label)) {
    auto tokens = dir_ / "tokens";
    std::filesystem::create_directories(tokens);
    write_file(dir_ / "softhsm2.conf", "directories.tokendir = " + tokens.string() +
                                           "\nobjectstore.backend = file\nlog.level = ERROR\n"
                                           "slots.removable = false\n");
    setenv("SOFTHSM2_CONF", conf_path().c_str(), 1);
    auto r = run("softhsm2-util --init-token --free --label " + shell_quote(label_) + " --so-pin " +
                 so_pin_ + " --pin " + user_pin_);
    if (r.exit_code != 0)
        throw std::runtime_error("softhsm2-util --init-token failed: " + r.output);
}

}  // namespace inkan::test
