// The benchmarks' world: a throwaway SoftHSM token in a temp dir (removed with
// the world) holding an EC P-256 CA key, the PIN HMAC key and the PIN-wrapping
// AES key; a self-signed CA; real SQLite stores in the temp dir; the policy
// context for "Example University" (WHOIS answered in-process); an RA operator
// on record; and the IssuanceService on top.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "ca/certificate_authority.h"
#include "ca/hsm_signer.h"
#include "hsm/key_generation.h"
#include "hsm/token.h"
#include "issuance/issuance_service.h"
#include "issuance/signing_gate.h"
#include "policy/request_check.h"
#include "store/database.h"
#include "store/existing_certificates.h"
#include "store/sqlite_batch_store.h"
#include "store/sqlite_bulk_job_store.h"
#include "store/sqlite_certificate_store.h"
#include "store/sqlite_operator_store.h"

namespace inkan::bench {

// Answers every WHOIS lookup with the registered organisation.
class FixedWhois final : public policy::WhoisLookup {
  public:
    policy::WhoisAnswer lookup(const std::string&) override {
        return {policy::WhoisAnswer::Status::Found, {"Example University"}, ""};
    }
};

// A temp dir with an initialised SoftHSM token ("bench", user PIN 123456) and
// SOFTHSM2_CONF pointing at it; the dir is removed on destruction.
class ScratchToken {
  public:
    explicit ScratchToken(const std::string& name);
    ~ScratchToken();
    ScratchToken(const ScratchToken&) = delete;
    ScratchToken& operator=(const ScratchToken&) = delete;
    const std::filesystem::path& dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
};

// The config for ScratchToken's token: SoftHSM, label "bench", user PIN 123456.
hsm::TokenConfig scratch_token_config(size_t pool_size);

class BenchWorld {
  public:
    // name: part of the temp dir's name; pool_size: HSM sessions.
    BenchWorld(const std::string& name, size_t pool_size, issuance::IssuanceConfig config);
    BenchWorld(const BenchWorld&) = delete;
    BenchWorld& operator=(const BenchWorld&) = delete;

    // The policy context, with issued certificates looked up in the store.
    policy::CheckContext context();

    // A client certificate (profile 5) of the world's institution for `key`:
    // "CN=User <ou>,OU=<ou>,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP".
    ca::IssueResult issue_client_certificate(const std::string& ou, EVP_PKEY* key);

    ScratchToken scratch;
    hsm::Token token;
    hsm::KeySpec ca_key;
    ca::HsmSigner signer;
    ca::HsmRandom random;
    X509Ptr ca_certificate;
    issuance::PinKeys pin_keys;
    store::Database database;
    store::SqliteCertificateStore certificates;
    store::SqliteBatchStore batches;
    store::SqliteBulkJobStore bulk_jobs;
    ca::CertificateAuthority authority;
    store::StoreCertificateLookup lookup;
    policy::InMemoryInstitutionRegistry registry;
    policy::InMemoryExistingCertificates existing;
    policy::SystemClock clock;
    FixedWhois whois;
    issuance::OperatorInfo op{"bench", "Example University", "op@example.ac.jp"};
    store::SqliteOperatorStore operators;
    issuance::PolicySigningGate gate;
    issuance::IssuanceService service;
};

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace inkan::bench
