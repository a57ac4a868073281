// REST CSR issuance over HTTPS against the real `inkan serve` behind its TLS
// front (nginx): `POST /api/v1/certificates?format=pem` with the first RA
// operator's handed-over P12 (mutual TLS), from libcurl on keep-alive
// connections by 1, 4 and 16 concurrent clients, N certificates per level
// (CSRs with their own EC P-256 keys made before timing); then N/4 requests by
// one client each on a new TLS connection (session resumed); and, to show what
// the front costs, 1 and 16 clients straight to the application's plain-HTTP
// operator listener with the headers nginx adds. Then `serve` is
// stopped and the raw C_Sign rate of the same CA key in the same token is
// measured by 2 threads (the HSM session pool is 2), for the ratio.
// Prints certificates/s, p50 and p99 latency per level, the CPU time `inkan`,
// nginx and the load client each spent per certificate (/proc; the rate the
// cores would allow at best), and checks every answer
// is a certificate signed by the CA with a distinct serial.
//
//   bench_https_load [certs per level=300] [key types=ec-p256,rsa-2048]
//   (environment INKAN_BENCH_CONFIG='{"http":{"threads":8}}': settings to compare)
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "appliance/config.h"
#include "appliance/services.h"
#include "bench/https_load/curl_load.h"
#include "bench/https_load/process_cpu.h"
#include "bench/https_load/served_appliance.h"
#include "bench/support/csrs.h"
#include "bench/support/per_key_type.h"
#include "bench/support/raw_sign.h"
#include "common/error.h"
#include "hsm/keys.h"
#include "pki/encoding.h"
#include "tests/support/temp_dir.h"

using namespace inkan;

namespace {

constexpr const char* kInstitution = "Inkan Demo University";  // registered by init

// Every answer 201 with a certificate the CA signed; serials distinct.
void check_answers(const bench::LoadResult& r, X509* ca, std::set<std::string>& serials) {
    for (size_t i = 0; i < r.bodies.size(); ++i) {
        if (r.statuses[i] != 201)
            throw std::runtime_error("request " + std::to_string(i) + ": status " +
                                     std::to_string(r.statuses[i]) + ": " + r.bodies[i]);
        auto cert = pki::parse_certificate(as_bytes(r.bodies[i]));
        if (X509_verify(cert.get(), X509_get0_pubkey(ca)) != 1)
            throw std::runtime_error("an issued certificate does not verify");
        const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
        std::string key(reinterpret_cast<const char*>(serial->data),
                        static_cast<size_t>(serial->length));
        if (!serials.insert(key).second) throw std::runtime_error("a serial repeats");
    }
}

size_t resumed_since(const std::filesystem::path& access_log, size_t offset) {
    std::string log = test::read_file(access_log).substr(offset);
    size_t n = 0;
    for (size_t at = 0; (at = log.find("\"tls_resumed\":\"r\"", at)) != std::string::npos; ++at)
        ++n;
    return n;
}

void bench_key_type(const std::string& key_type, size_t certs) {
    // INKAN_BENCH_CONFIG: JSON merged into the bench's inkan.json, to compare
    // settings (e.g. '{"http":{"threads":8}}').
    nlohmann::json settings = {{"hsm", {{"pool_size", 2}}}};
    if (const char* extra = std::getenv("INKAN_BENCH_CONFIG"))
        settings.merge_patch(nlohmann::json::parse(extra));
    bench::ServedAppliance a(key_type, settings);
    a.start();
    const std::string url = "https://127.0.0.1:" + std::to_string(a.operator_port()) +
                            "/api/v1/certificates?format=pem";
    bench::ClientTls tls{a.ca_file().string(), a.operator_p12().string(),
                         a.operator_p12_password()};
    auto ca = pki::parse_certificate(as_bytes(test::read_file(a.ca_file())));
    std::set<std::string> serials;
    size_t first = 0;
    auto csrs = [&](size_t n) {
        auto out = bench::make_csrs(n, first, kInstitution);
        first += n;
        return out;
    };
    // Warm-up (not timed): the first requests open the token's sessions, the
    // statement cache, the TLS session cache.
    check_answers(bench::post_concurrently(url, csrs(20), 4, tls), ca.get(), serials);

    struct Level {
        size_t clients;
        bench::LoadResult r;
        bench::CpuPerRequest cpu;  // what inkan, nginx and this client spent per request
    };
    // One level: the CSRs are made first, the CPU counted around the requests only.
    auto load = [&](const std::string& to, size_t clients,
                    const std::vector<std::string>& headers) -> Level {
        auto bodies = csrs(certs);
        auto before = bench::cpu_seconds(a.serve_pid());
        auto r = bench::post_concurrently(to, bodies, clients, tls, headers);
        auto cpu = bench::per_request(before, bench::cpu_seconds(a.serve_pid()), bodies.size());
        check_answers(r, ca.get(), serials);
        return {clients, std::move(r), cpu};
    };
    std::vector<Level> levels;
    for (size_t clients : {1, 4, 16}) levels.push_back(load(url, clients, {}));
    // The same load straight to the application (plain HTTP on loopback,
    // the headers nginx would add; Pistache 0.0.5 does not keep the connection):
    // what the front and TLS cost.
    const std::string app_url = "http://127.0.0.1:" + std::to_string(a.app_operator_port()) +
                                "/api/v1/certificates?format=pem";
    std::vector<Level> direct;
    for (size_t clients : {1, 16})
        direct.push_back(load(app_url, clients, a.operator_front_headers()));
    const auto access_log = a.state() / "front" / "access.log";
    const size_t log_offset = test::read_file(access_log).size();
    auto fresh_bodies = csrs(certs / 4);
    auto fresh_before = bench::cpu_seconds(a.serve_pid());
    auto fresh = bench::post_new_connection_each(url, fresh_bodies, tls);
    auto fresh_cpu =
        bench::per_request(fresh_before, bench::cpu_seconds(a.serve_pid()), fresh_bodies.size());
    check_answers(fresh, ca.get(), serials);
    const size_t resumed = resumed_since(access_log, log_offset);
    a.stop();

    // Raw C_Sign of the same key in the same token, serve stopped.
    appliance::Config config = appliance::load_config(a.state());
    auto services = appliance::open_services(config);
    hsm::KeyObject key = hsm::find_private_key(*services->token, appliance::ca_key_lookup(config));
    const bool rsa = key_type.rfind("rsa", 0) == 0;
    const double raw = bench::raw_sign_rate(key, rsa, rsa ? 2000 : 8000, 2);

    std::printf(
        "%s CA key, SoftHSM; inkan serve behind nginx; libcurl mTLS keep-alive; %zu "
        "certificates per level; settings %s\n",
        key_type.c_str(), certs, settings.dump().c_str());
    std::printf("  raw C_Sign, 2 threads (serve stopped)   %8.0f signatures/s\n", raw);
    // CPU per certificate of each side, and the rate the cores would allow if
    // nothing but that CPU time limited it (cores x 1000 / total ms).
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::printf(
        "  clients  certificates/s  ratio to raw  p50 ms  p99 ms  p99/p50  connections   CPU ms "
        "per certificate: inkan  nginx  client  (%u cores allow /s)\n",
        cores);
    auto print = [&](const std::vector<Level>& rows) {
        for (const auto& l : rows) {
            double rate = static_cast<double>(l.r.latencies_ms.size()) / l.r.seconds;
            double p50 = bench::percentile(l.r.latencies_ms, 50);
            double p99 = bench::percentile(l.r.latencies_ms, 99);
            std::printf(
                "  %7zu  %14.0f  %12.3f  %6.1f  %6.1f  %7.2f  %11ld  %28.2f  %5.2f  %6.2f  %8.0f\n",
                l.clients, rate, rate / raw, p50, p99, p99 / p50, l.r.new_connections,
                l.cpu.server_ms, l.cpu.descendants_ms, l.cpu.self_ms,
                cores * 1000.0 / l.cpu.total_ms());
        }
    };
    print(levels);
    std::printf(
        "  straight to the application (plain HTTP, no nginx, no TLS; Pistache closes each "
        "connection):\n");
    print(direct);
    double mean = fresh.seconds * 1000.0 / static_cast<double>(fresh.latencies_ms.size());
    std::printf(
        "  new TLS connection per request, 1 client: %.0f certificates/s, mean %.1f ms, p50 %.1f "
        "ms, p99 %.1f ms; %zu of %zu TLS sessions resumed (nginx log)\n",
        fresh.latencies_ms.size() / fresh.seconds, mean, bench::percentile(fresh.latencies_ms, 50),
        bench::percentile(fresh.latencies_ms, 99), resumed, fresh.latencies_ms.size());
    std::printf("    CPU ms per request: inkan %.2f, nginx %.2f, client %.2f\n",
                fresh_cpu.server_ms, fresh_cpu.descendants_ms, fresh_cpu.self_ms);
}

}  // namespace

int main(int argc, char** argv) { return bench::run_per_key_type(argc, argv, 300, bench_key_type); }
