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

// `count` distinct loopback TCP ports nothing listens on now (bound to port 0,
// then released), for servers that cannot report a port the kernel picked (nginx).
std::vector<unsigned short> free_loopback_ports(size_t count);

// base64 text (a line break ignored) with '+', '/' and '=' percent-encoded: an
// OCSP GET request's last path segment (RFC 6960 appendix A.1).
std::string percent_encode_base64(const std::string& base64);

// Quotes one argument for sh.
std::string shell_quote(const std::string& arg);

}  // namespace inkan::test
