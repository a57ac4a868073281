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
#include "bench/support/csrs.h"
#include "bench/support/per_key_type.h"
#include "bench/support/raw_sign.h"
#include "common/error.h"
#include "hsm/keys.h"
#include "hsm/operations.h"
#include "pki/encoding.h"

using namespace inkan;
namespace fs = std::filesystem;

namespace {

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

    // Raw: C_Sign with the CA key, 2 threads, as ca::HsmSigner signs.
    hsm::KeyObject key = hsm::find_private_key(*services->token, appliance::ca_key_lookup(config));
    const bool rsa = key_type.rfind("rsa", 0) == 0;
    double raw_rate = bench::raw_sign_rate(key, rsa, rsa ? 2000 : 8000, 2);

    std::printf("%s CA key, SoftHSM, HSM session pool 2, %zu certificates per run\n",
                key_type.c_str(), certs);
    std::printf("  raw C_Sign, 2 threads           %9.0f signatures/s\n", raw_rate);
    size_t first = 0;
    X509* ca = services->ca_certificate.get();
    for (size_t threads : {1, 2, 4}) {
        auto csrs = bench::make_csrs(certs, first, "Example University");
        first += certs;
        std::vector<std::string> pems(certs);
        std::vector<std::string> serials(certs);
        double s = bench::run_parallel(certs, threads, [&](size_t i) {
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
    return bench::run_per_key_type(argc, argv, 1000, bench_key_type);
}
