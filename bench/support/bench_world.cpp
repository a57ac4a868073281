#include "bench/support/bench_world.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/error.h"
#include "pki/ca_bootstrap.h"
#include "pki/profile.h"
#include "pki/serial.h"

namespace fs = std::filesystem;

namespace inkan::bench {
hsm::TokenConfig scratch_token_config(size_t pool_size) {
    hsm::TokenConfig tc;
    tc.module_path = "/usr/lib/softhsm/libsofthsm2.so";
    tc.token_label = "bench";
    tc.pin = SecretString("123456");
    tc.pool_size = pool_size;
    return tc;
}

namespace {

hsm::KeySpec generate_ca_key(hsm::Token& token) {
    hsm::KeySpec key{"ca", hsm::random_key_id(token)};
    hsm::generate_signing_key_pair(token, hsm::KeyAlgorithm::EcP256, key);
    return key;
}

X509Ptr self_signed_ca(pki::Signer& signer, pki::RandomSource& random) {
    pki::CaOptions options;
    options.serial = pki::generate_serial(random);
    return pki::make_self_signed_ca(signer, {{"C", "JP"}, {"CN", "Bench CA"}}, 10, options);
}

issuance::PinKeys generate_pin_keys(hsm::Token& token) {
    hsm::KeySpec hmac{"pin-hmac", hsm::random_key_id(token)};
    hsm::generate_hmac_key(token, hmac);
    hsm::KeySpec aes{"pin-wrap", hsm::random_key_id(token)};
    hsm::generate_aes_key(token, aes);
    return {hmac.id, aes.id};
}

}  // namespace

ScratchToken::ScratchToken(const std::string& name) {
    std::string tmpl = "/tmp/inkan-bench-" + name + "-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
        throw Error(ErrorCategory::Internal, "bench_tempdir", "cannot create " + tmpl);
    dir_ = tmpl;
    fs::create_directories(dir_ / "tokens");
    std::ofstream(dir_ / "softhsm2.conf") << "directories.tokendir = " << (dir_ / "tokens").string()
                                          << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    setenv("SOFTHSM2_CONF", (dir_ / "softhsm2.conf").c_str(), 1);
    if (std::system("softhsm2-util --init-token --free --label bench --so-pin 12345678 --pin "
                    "123456 >/dev/null") != 0) {
        fs::remove_all(dir_);
        throw Error(ErrorCategory::Internal, "bench_softhsm", "softhsm2-util failed");
    }
}

ScratchToken::~ScratchToken() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

namespace {

issuance::IssuanceConfig with_jobs_dir(issuance::IssuanceConfig config, fs::path dir) {
    if (config.bulk_jobs_dir.empty()) config.bulk_jobs_dir = std::move(dir);
    return config;
}

}  // namespace

BenchWorld::BenchWorld(const std::string& name, size_t pool_size, issuance::IssuanceConfig config)
    : scratch(name),
      token(scratch_token_config(pool_size)),
      ca_key(generate_ca_key(token)),
      signer(token, {ca_key.id, {}}),
      random(token),
      ca_certificate(self_signed_ca(signer, random)),
      pin_keys(generate_pin_keys(token)),
      database((scratch.dir() / "inkan.db").string()),
      certificates(database),
      batches(database),
      bulk_jobs(database),
      authority(signer, ca_certificate.get(), {}, random, certificates),
      lookup(certificates),
      operators(database),
      gate([this] { return context(); }, operators, certificates),
      service(token, authority, batches, bulk_jobs, pin_keys, gate,
              with_jobs_dir(std::move(config), scratch.dir() / "bulk-jobs")) {
    policy::Institution inst;
    inst.name = op.institution;
    inst.domains = {{"example.ac.jp", policy::Date{std::chrono::year{2099}, std::chrono::March,
                                                   std::chrono::day{31}}}};
    inst.locality = "Chiyoda-ku";
    inst.state = "Tokyo";
    inst.whois_names = {op.institution};
    inst.enabled_profiles = {5, 7};
    registry.put(inst);
    // The operator on record (a stand-in certificate: the gate reads its status).
    certificates.reserve_serial("7e");
    store::CertificateRecord op_cert;
    op_cert.serial_hex = op_cert.serial_dec = "7e";
    op_cert.subject = "CN=" + op.name;
    op_cert.issuer = "CN=Bench CA";
    op_cert.not_after = store::unix_now() + 86400;
    op_cert.kind = store::CertificateKind::Operator;
    op_cert.der = Bytes{0x30, 0x00};
    certificates.insert(op_cert);
    operators.add({0, op.name, op.institution, op.email, store::OperatorRole::RaOperator, "7e", 0});
}

policy::CheckContext BenchWorld::context() {
    policy::CheckContext c{registry, whois, existing, clock};
    c.certificates = &lookup;
    return c;
}

ca::IssueResult BenchWorld::issue_client_certificate(const std::string& ou, EVP_PKEY* key) {
    auto profile = pki::find_profile(pki::default_profiles(), 5);
    if (!profile) throw std::runtime_error("profile 5 missing");
    ca::IssueSpec spec;
    spec.subject = {{"C", "JP"},           {"ST", "Tokyo"}, {"L", "Chiyoda-ku"},
                    {"O", op.institution}, {"OU", ou},      {"CN", "User " + ou}};
    spec.subject_public_key = key;
    spec.profile = *profile;
    spec.institution = op.institution;
    spec.requested_by = op.name;
    spec.claim_subject = true;
    return authority.issue(spec);
}

}  // namespace inkan::bench
