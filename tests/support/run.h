#pragma once

#include <string>
#include <vector>

namespace inkan::test {

struct RunResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Runs a shell command line (sh -c) and captures its output. For third-party
// tools in tests: openssl, certutil, pk12util, softhsm2-util.
RunResult run(const std::string& command_line);

// Quotes one argument for sh.
std::string shell_quote(const std::string& arg);

}  // namespace inkan::test
