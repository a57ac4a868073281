// REST issuance at the signing limit: what POST /api/v1/certificates does per
// request behind TLS (operator authenticated from its client certificate, the
// CSR parsed and checked, the signing gate, the serial reserved, the
// certificate signed in SoftHSM, stored, audited, answered as PEM), through the
// appliance's own audited api::Authority, by 1, 2 and 4 threads; against the
// raw C_Sign rate of the same CA key in the same token by 2 threads (the HSM
// session pool is 2). Prints both rates and their ratio, for each CA key type.
//
//   bench_rest_issuance [certs per run=1000] [key types=ec-p256,rsa-2048]
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "appliance/audited.h"
#include "appliance/bootstrap.h"
#include "appliance/config.h"
#include "appliance/operator_authority.h"
#include "appliance/services.h"
#include "common/error.h"
#include "hsm/keys.h"
#include "hsm/operations.h"
#include "pki/encoding.h"

using namespace inkan;
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// n jobs over `threads` threads; job(i) for each i in [0, n). Returns seconds.
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
    return seconds_since(start);
}

// PEM CSRs for distinct subjects (the duplicate-DN rule) in the approved domain,
// one software P-256 key.
std::vector<std::string> make_csrs(size_t n, size_t first) {
    EvpPkeyPtr key(EVP_EC_gen("P-256"));
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i) {
        X509ReqPtr req(X509_REQ_new());
        X509_NAME* name = X509_REQ_get_subject_name(req.get());
        std::string cn = "host" + std::to_string(first + i) + ".example.ac.jp";
        auto add = [&](const char* type, const std::string& value) {
            X509_NAME_add_entry_by_txt(name, type, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                       -1, 0);
        };
        add("C", "JP");
        add("ST", "Tokyo");
        add("L", "Chiyoda-ku");
        add("O", "Example University");
        add("CN", cn);
        if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
            X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0)
            openssl_fail("cannot make CSR");
        out.push_back(pki::to_pem(req.get()));
    }
    return out;
}

X509Ptr operator_certificate(const appliance::OperatorCredential& credential) {
    std::ifstream in(credential.cert_path);
    std::stringstream pem;
    pem << in.rdbuf();
    std::string text = pem.str();
    return pki::parse_certificate(as_bytes(text));
}

void bench_key_type(const std::string& key_type, size_t certs) {
    char tmpl[] = "/tmp/inkan-bench-rest-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    fs::path dir = tmpl;
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code ignored;
            fs::remove_all(dir, ignored);
        }
    } cleanup{dir};

    appliance::Config config = appliance::load_config(dir / "state");
    config.ca.key_type = key_type;
    config.hsm.pool_size = 2;
    config.mail.transport = "none";
    appliance::prepare_token_and_ca_key(config);
    appliance::write_self_signed_ca(config);
    auto services = appliance::open_services(config);
    services->policy->registry().add(appliance::demo_institution("Example University"));
    auto credential =
        appliance::create_operator(*services, "op1", "Example University", "op1@example.ac.jp",
                                   store::OperatorRole::RaOperator, dir / "handover");
    X509Ptr op_cert = operator_certificate(credential);
    appliance::OperatorAuthority core(*services);
    appliance::AuditedAuthority authority(core, *services->audit);

    // Raw: C_Sign with the CA key, 2 threads, the mechanisms HsmSigner uses
    // (CKM_ECDSA over a digest; CKM_SHA256_RSA_PKCS).
    hsm::KeyObject key = hsm::find_private_key(*services->token, appliance::ca_key_lookup(config));
    const bool rsa = key_type.rfind("rsa", 0) == 0;
    Bytes digest = hsm::digest(hsm::DigestAlgorithm::Sha256, as_bytes("bench_rest_issuance"));
    size_t raw_n = rsa ? 2000 : 8000;
    double raw_s = run_parallel(raw_n, 2, [&](size_t) {
        if (rsa) {
            hsm::sign_rsa_pkcs1_sha256(key, digest);
        } else {
            hsm::sign(key, CKM_ECDSA, digest);
        }
    });
    double raw_rate = raw_n / raw_s;

    std::printf("%s CA key, SoftHSM, HSM session pool 2, %zu certificates per run\n",
                key_type.c_str(), certs);
    std::printf("  raw C_Sign, 2 threads           %9.0f signatures/s\n", raw_rate);
    size_t first = 0;
    X509* ca = services->ca_certificate.get();
    for (size_t threads : {1, 2, 4}) {
        auto csrs = make_csrs(certs, first);
        first += certs;
        std::vector<std::string> pems(certs);
        std::vector<std::string> serials(certs);
        double s = run_parallel(certs, threads, [&](size_t i) {
            auto who = authority.authenticate_operator(op_cert.get());
            auto view = authority.issue_from_csr(who, as_bytes(csrs[i]), 5);
            pems[i] = std::move(view.pem);
            serials[i] = view.serial_hex;
        });
        // Every answer a certificate signed by the CA, every serial distinct.
        std::set<std::string> distinct(serials.begin(), serials.end());
        if (distinct.size() != certs) throw std::runtime_error("serials not distinct");
        for (size_t i = 0; i < certs; i += 97) {
            auto cert = pki::parse_certificate(as_bytes(pems[i]));
            if (X509_verify(cert.get(), X509_get0_pubkey(ca)) != 1)
                throw std::runtime_error("issued certificate does not verify");
        }
        double rate = certs / s;
        std::printf("  REST path, %zu thread%s          %9.0f certificates/s   ratio %.3f\n",
                    threads, threads == 1 ? " " : "s", rate, rate / raw_rate);
    }
}

}  // namespace

int main(int argc, char** argv) {
    size_t certs = argc > 1 ? static_cast<size_t>(std::atol(argv[1])) : 1000;
    std::string types = argc > 2 ? argv[2] : "ec-p256,rsa-2048";
    try {
        std::stringstream list(types);
        for (std::string type; std::getline(list, type, ',');) bench_key_type(type, certs);
    } catch (const std::exception& e) {
        std::cerr << "bench failed: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
