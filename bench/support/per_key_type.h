// The main of the issuance benches that run once per CA key type:
//   <bench> [certs=default_certs] [key types=ec-p256,rsa-2048]
#pragma once

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

namespace inkan::bench {

// Calls bench(key_type, certs) for each key type named; 1 when one threw.
template <typename Bench>
int run_per_key_type(int argc, char** argv, size_t default_certs, Bench bench) {
    size_t certs = argc > 1 ? static_cast<size_t>(std::atol(argv[1])) : default_certs;
    std::string types = argc > 2 ? argv[2] : "ec-p256,rsa-2048";
    try {
        std::stringstream list(types);
        for (std::string type; std::getline(list, type, ',');) bench(type, certs);
    } catch (const std::exception& e) {
        std::cerr << "bench failed: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

}  // namespace inkan::bench
