// The certificate information download (report::write_certificate_export, what
// GET /api/v1/export builds before streaming it) over `certs` subscriber
// certificates in the store: time, ZIP size and the growth of the peak RSS
// during the export (VmHWM reset through /proc/self/clear_refs first).
//
// The certificates are issued beforehand through ca::CertificateAuthority::issue
// (EC P-256 CA key in SoftHSM; one subscriber key for all, not timed).
//
//   bench_export [certs=10000]
#include <zip.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "bench/support/bench_world.h"
#include "pki/software_signer.h"
#include "report/certificate_export.h"

using namespace inkan;
using bench::seconds_since;

namespace {

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM").
long status_kib(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
    }
    return -1;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

void issue(bench::BenchWorld& w, int n) {
    EvpPkeyPtr key = pki::generate_key(pki::KeyType::EcP256);
    for (int i = 0; i < n; ++i) w.issue_client_certificate(std::to_string(100000 + i), key.get());
}

// Entries in the ZIP (libzip reads the central directory).
long entries_of(const std::string& path) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!z) return -1;
    long n = static_cast<long>(zip_get_num_entries(z, 0));
    zip_discard(z);
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    const int certs = argc > 1 ? std::atoi(argv[1]) : 10000;
    try {
        bench::BenchWorld w("export", 2, {});
        auto t_issue = std::chrono::steady_clock::now();
        issue(w, certs);
        double issue_s = seconds_since(t_issue);
        const std::string zip_path = (w.scratch.dir() / "export.zip").string();

        store::CertificateQuery query;
        query.institution = w.op.institution;
        query.now = store::unix_now();
        reset_peak_rss();
        const long rss_before = status_kib("VmRSS");
        auto t0 = std::chrono::steady_clock::now();
        size_t n = report::write_certificate_export(w.certificates, query, {}, zip_path);
        double export_s = seconds_since(t0);
        const long peak = status_kib("VmHWM");
        const long growth = peak - rss_before;
        const long entries = entries_of(zip_path);

        std::printf("bench_export: %d certificates (issued in %.1f s, not timed)\n", certs,
                    issue_s);
        std::printf(
            "  export (Shift_JIS TSV + PEMs): %.2f s, %zu certificates, %ld ZIP entries, "
            "%.1f MiB ZIP\n",
            export_s, n, entries,
            static_cast<double>(std::filesystem::file_size(zip_path)) / (1024 * 1024));
        std::printf(
            "  RSS before %.1f MiB, peak during export %.1f MiB: growth %.1f MiB "
            "(target < 20 MiB)\n",
            rss_before / 1024.0, peak / 1024.0, growth / 1024.0);
        if (n != static_cast<size_t>(certs) || entries != certs + 1) {
            std::cerr << "export incomplete\n";
            return 1;
        }
        return growth < 20 * 1024 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "bench_export: " << e.what() << "\n";
        return 1;
    }
}
