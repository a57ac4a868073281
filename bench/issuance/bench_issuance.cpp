// A 1,000-row P12-bulk job end to end on a throwaway SoftHSM token: submit the
// request file (policy check, PIN nonces, URL tokens), open the PIN page (1,000
// HMACs in the HSM), download the ZIP (1,000 RSA-2048 key pairs generated in the
// HSM, certificates signed by an EC P-256 CA key in the HSM, P12s, ZIP).
// Prints rows per second per phase and peak RSS.
//
//   bench_issuance [rows=1000] [key=rsa-2048] [threads=2]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "bench/support/bench_world.h"
#include "hsm/key_pool.h"

using namespace inkan;
using bench::seconds_since;

namespace {

std::string request_file(int rows) {
    std::string file;
    for (int i = 0; i < rows; ++i) {
        std::string ou = std::to_string(100000 + i);
        file += "CN=User " + ou + ",OU=" + ou +
                ",O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t2\t\t\t\t\t"
                "Hanako Admin\tInformation Center\tadmin@example.ac.jp\tUser " +
                ou + "\tcert-" + ou + "\tEngineering\tuser" + ou + "@example.ac.jp\t\n";
    }
    return file;
}

}  // namespace

int main(int argc, char** argv) {
    int rows = argc > 1 ? std::atoi(argv[1]) : 1000;
    std::string key = argc > 2 ? argv[2] : "rsa-2048";
    size_t threads = argc > 3 ? static_cast<size_t>(std::atoi(argv[3])) : 2;
    // "pool": a warm key pool of `rows` pairs (filled first, not timed).
    const bool pool = argc > 4 && std::string(argv[4]) == "pool";

    try {
        issuance::IssuanceConfig config;
        config.p12_key_algorithm = key;
        config.bulk_threads = threads;
        if (pool) config.key_pool_size = static_cast<size_t>(rows);
        bench::BenchWorld w("issuance", threads + 1, config);
        auto& service = w.service;
        auto& op = w.op;
        auto context = w.context();

        double fill_s = 0;
        if (pool) {
            service.recover_undelivered();  // as `inkan serve` starts: the pool fills
            auto tf = std::chrono::steady_clock::now();
            while (hsm::KeyPool(w.token, hsm::parse_key_algorithm(key), 0).available() <
                   static_cast<size_t>(rows))
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            fill_s = seconds_since(tf);
        }
        std::string file = request_file(rows);
        auto t0 = std::chrono::steady_clock::now();
        auto batch =
            service.submit(op, file, policy::Action::Issue, policy::ErrorMode::Abort, context);
        double submit_s = seconds_since(t0);
        if (batch.status != "accepted") {
            std::cerr << batch.report.dump(1) << "\n";
            return 1;
        }
        auto t1 = std::chrono::steady_clock::now();
        auto page = service.view_pins(*batch.batch_pin_token);
        double pins_s = seconds_since(t1);
        // The PIN page started the background job: poll until the ZIP is ready.
        auto t2 = std::chrono::steady_clock::now();
        issuance::BulkZip zip;
        while (!(zip = service.download_bulk_zip(*batch.batch_retrieval_token)).file) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        double zip_s = seconds_since(t2);
        const auto zip_bytes = std::filesystem::file_size(zip.file->path);
        service.bulk_zip_delivered(*batch.batch_retrieval_token);
        double total = seconds_since(t0);

        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        std::printf("P12 bulk, %d rows, %s keys, %zu threads%s\n", rows, key.c_str(), threads,
                    pool ? ", warm key pool" : "");
        if (pool) std::printf("  pool fill (not timed)   %8.2f s\n", fill_s);
        std::printf("  submit (check + store)  %8.2f s  %9.0f rows/s\n", submit_s, rows / submit_s);
        std::printf("  PIN page (HSM HMAC)     %8.2f s  %9.0f rows/s\n", pins_s, rows / pins_s);
        std::printf("  ZIP (keys, certs, P12)  %8.2f s  %9.1f rows/s  (%zu bytes)\n", zip_s,
                    rows / zip_s, static_cast<size_t>(zip_bytes));
        std::printf("  end to end              %8.2f s  %9.1f rows/s\n", total, rows / total);
        std::printf("  peak RSS                %8.1f MiB\n", usage.ru_maxrss / 1024.0);
        if (page.entries.size() != static_cast<size_t>(rows)) return 1;
    } catch (const std::exception& e) {
        std::cerr << "bench failed: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
