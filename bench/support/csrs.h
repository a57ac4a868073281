// Certificate requests for the issuance benches, made in memory before timing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace inkan::bench {

// n PEM CSRs, each with its own software EC P-256 key, for the distinct
// subjects C=JP, ST=Tokyo, L=Chiyoda-ku, O=<organization>,
// CN=host<first + i>.example.ac.jp (the duplicate-DN rule).
std::vector<std::string> make_csrs(size_t n, size_t first, const std::string& organization);

}  // namespace inkan::bench
