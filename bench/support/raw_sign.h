// Raw C_Sign with a CA key, as ca::HsmSigner signs (EC P-256: CKM_ECDSA over a
// SHA-256 digest; RSA: CKM_SHA256_RSA_PKCS), by several threads on the token's
// pooled sessions: the ceiling the issuance benches compare against.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "hsm/keys.h"

namespace inkan::bench {

// n jobs over `threads` threads (the caller's one of them); job(i) for each i in
// [0, n). Returns the seconds taken; throws if a job threw.
template <typename Job>
double run_parallel(size_t n, size_t threads, Job job) {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    auto worker = [&] {
        for (size_t i = next++; i < n && !failed; i = next++) {
            try {
                job(i);
            } catch (const std::exception& e) {
                std::cerr << "job " << i << " failed: " << e.what() << "\n";
                failed = true;
            }
        }
    };
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (failed) throw std::runtime_error("a job failed");
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Signatures per second: `signatures` C_Sign calls with `key` by `threads` threads.
double raw_sign_rate(const hsm::KeyObject& key, bool rsa, size_t signatures, size_t threads);

}  // namespace inkan::bench
