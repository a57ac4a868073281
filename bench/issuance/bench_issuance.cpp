// A 1,000-row P12-bulk job end to end on a throwaway SoftHSM token: submit the
// request file (policy check, PIN nonces, URL tokens), open the PIN page (1,000
// HMACs in the HSM), download the ZIP (1,000 RSA-2048 key pairs generated in the
// HSM, certificates signed by an EC P-256 CA key in the HSM, P12s, ZIP).
// Prints rows per second per phase and peak RSS.
//
//   bench_issuance [rows=1000] [key=rsa-2048] [threads=2]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "ca/certificate_authority.h"
#include "ca/hsm_signer.h"
#include "hsm/key_generation.h"
#include "hsm/token.h"
#include "issuance/issuance_service.h"
#include "issuance/signing_gate.h"
#include "pki/ca_bootstrap.h"
#include "pki/serial.h"
#include "store/database.h"
#include "store/sqlite_batch_store.h"
#include "store/sqlite_certificate_store.h"
#include "store/sqlite_operator_store.h"

namespace fs = std::filesystem;
using namespace inkan;

namespace {

class FixedWhois final : public policy::WhoisLookup {
  public:
    policy::WhoisAnswer lookup(const std::string&) override {
        return {policy::WhoisAnswer::Status::Found, {"Example University"}, ""};
    }
};

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

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    int rows = argc > 1 ? std::atoi(argv[1]) : 1000;
    std::string key = argc > 2 ? argv[2] : "rsa-2048";
    size_t threads = argc > 3 ? static_cast<size_t>(std::atoi(argv[3])) : 2;

    char tmpl[] = "/tmp/inkan-bench-issuance-XXXXXX";
    fs::path dir = mkdtemp(tmpl);
    fs::create_directories(dir / "tokens");
    std::ofstream(dir / "softhsm2.conf") << "directories.tokendir = " << (dir / "tokens").string()
                                         << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
    if (std::system("softhsm2-util --init-token --free --label bench --so-pin 12345678 --pin "
                    "123456 >/dev/null") != 0) {
        std::cerr << "softhsm2-util failed\n";
        return 1;
    }
    try {
        hsm::TokenConfig tc;
        tc.module_path = "/usr/lib/softhsm/libsofthsm2.so";
        tc.token_label = "bench";
        tc.pin = SecretString("123456");
        tc.pool_size = threads + 1;
        hsm::Token token(tc);
        hsm::KeySpec ca_key{"ca", hsm::random_key_id(token)};
        hsm::generate_signing_key_pair(token, hsm::KeyAlgorithm::EcP256, ca_key);
        ca::HsmSigner signer(token, {ca_key.id, {}});
        ca::HsmRandom random(token);
        pki::CaOptions options;
        options.serial = pki::generate_serial(random);
        auto ca_cert =
            pki::make_self_signed_ca(signer, {{"C", "JP"}, {"CN", "Bench CA"}}, 10, options);
        hsm::KeySpec hmac{"pin-hmac", hsm::random_key_id(token)};
        hsm::generate_hmac_key(token, hmac);
        hsm::KeySpec aes{"pin-wrap", hsm::random_key_id(token)};
        hsm::generate_aes_key(token, aes);

        store::Database db((dir / "inkan.db").string());
        store::SqliteCertificateStore certificates(db);
        store::SqliteBatchStore batches(db);
        ca::CertificateAuthority authority(signer, ca_cert.get(), {}, random, certificates);
        policy::InMemoryInstitutionRegistry registry;
        policy::Institution inst;
        inst.name = "Example University";
        inst.domains = {{"example.ac.jp", policy::Date{std::chrono::year{2099}, std::chrono::March,
                                                       std::chrono::day{31}}}};
        inst.locality = "Chiyoda-ku";
        inst.state = "Tokyo";
        inst.whois_names = {"Example University"};
        inst.enabled_profiles = {5, 7};
        registry.put(inst);
        policy::InMemoryExistingCertificates existing;
        policy::SystemClock clock;
        FixedWhois whois;
        policy::CheckContext context{registry, whois, existing, clock};
        issuance::OperatorInfo op{"bench", "Example University", "op@example.ac.jp"};
        // The operator on record (a stand-in certificate: the gate reads its status).
        store::SqliteOperatorStore operators(db);
        certificates.reserve_serial("7e");
        store::CertificateRecord op_cert;
        op_cert.serial_hex = op_cert.serial_dec = "7e";
        op_cert.subject = "CN=bench";
        op_cert.issuer = "CN=Bench CA";
        op_cert.not_after = store::unix_now() + 86400;
        op_cert.kind = store::CertificateKind::Operator;
        op_cert.der = Bytes{0x30, 0x00};
        certificates.insert(op_cert);
        operators.add(
            {0, op.name, op.institution, op.email, store::OperatorRole::RaOperator, "7e", 0});
        issuance::PolicySigningGate gate([&] { return context; }, operators, certificates);
        issuance::IssuanceConfig config;
        config.p12_key_algorithm = key;
        config.bulk_threads = threads;
        issuance::IssuanceService service(token, authority, batches, {hmac.id, aes.id}, gate,
                                          config);

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
        auto t2 = std::chrono::steady_clock::now();
        auto zip = service.download_bulk_zip(*batch.batch_retrieval_token);
        double zip_s = seconds_since(t2);
        double total = seconds_since(t0);

        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        std::printf("P12 bulk, %d rows, %s keys, %zu threads\n", rows, key.c_str(), threads);
        std::printf("  submit (check + store)  %8.2f s  %9.0f rows/s\n", submit_s, rows / submit_s);
        std::printf("  PIN page (HSM HMAC)     %8.2f s  %9.0f rows/s\n", pins_s, rows / pins_s);
        std::printf("  ZIP (keys, certs, P12)  %8.2f s  %9.1f rows/s  (%zu bytes)\n", zip_s,
                    rows / zip_s, zip.content.size());
        std::printf("  end to end              %8.2f s  %9.1f rows/s\n", total, rows / total);
        std::printf("  peak RSS                %8.1f MiB\n", usage.ru_maxrss / 1024.0);
        if (page.entries.size() != static_cast<size_t>(rows)) return 1;
    } catch (const std::exception& e) {
        std::cerr << "bench failed: " << e.what() << "\n";
        fs::remove_all(dir);
        return 1;
    }
    fs::remove_all(dir);
    return 0;
}
