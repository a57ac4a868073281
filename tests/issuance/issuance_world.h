// The issuance tests' world: a throwaway SoftHSM token holding an EC P-256 CA
// key, the PIN HMAC key and the PIN-wrapping AES key; a self-signed CA; a SQLite
// database in a temp state folder; the policy context for "Example University"
// (WHOIS answered by an in-process WhoisLookup); and the IssuanceService on top,
// with an adjustable clock.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "ca/certificate_authority.h"
#include "ca/hsm_signer.h"
#include "common/error.h"
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
#include "tests/support/softhsm_token.h"
#include "tests/support/temp_dir.h"

namespace inkan::test {

// Answers every WHOIS lookup with the registered organisation.
class FixedWhois final : public policy::WhoisLookup {
  public:
    policy::WhoisAnswer lookup(const std::string&) override {
        return {policy::WhoisAnswer::Status::Found, {"Example University"}, ""};
    }
};

// One issue row (15 columns, LF). type: 1 P12 individual, 2 bulk, 3 browser.
struct RowSpec {
    std::string cn = "Taro Yamada";
    std::string ou = "1001";
    int profile = 5;
    int type = 1;
    std::string admin_mail = "admin@example.ac.jp";
    std::string user_name = "Taro Yamada";
    std::string user_mail = "taro@example.ac.jp";
    std::string file_name;
    std::string pin;  // column 15
    std::string l = "Chiyoda-ku";
    std::string renews;  // column 4: the serial (decimal) a renew row replaces
};
std::string request_line(const RowSpec& row);
// n rows of one type with distinct OUs (ou_base + i) and file names.
std::string request_file(int n, int type, int ou_base = 1000);

// "Example University" (example.ac.jp, Chiyoda-ku / Tokyo, profiles 5 7 13-16).
struct PolicyFixture {
    PolicyFixture();
    policy::CheckContext context();
    // The domain approval of "Example University" ended yesterday; returns the
    // institution as it was (put it back to restore).
    policy::Institution end_approval_yesterday();
    policy::InMemoryInstitutionRegistry registry;
    policy::InMemoryExistingCertificates existing;
    policy::SystemClock clock;
    FixedWhois whois;
    issuance::OperatorInfo op{"op1", "Example University", "op1@example.ac.jp"};
};

struct IssuanceWorld {
    explicit IssuanceWorld(issuance::IssuanceConfig config = default_config());
    ~IssuanceWorld() { service.reset(); }  // its bulk job runner stops before the rest goes
    // Stops the service (its bulk job runner stops after the rows being built)
    // and makes a new one over the same token and store, as a restart does;
    // recover_undelivered() is the caller's, as at a real start.
    void restart_service();
    static issuance::IssuanceConfig default_config();  // EC P-256 P12 keys (fast)

    issuance::BatchResult submit(const std::string& file,
                                 policy::ErrorMode mode = policy::ErrorMode::Abort);
    policy::CheckContext context();
    // Rows in a table (certificates and serials: the subscribers' only, not the
    // operator's stand-in certificate).
    int64_t count(const std::string& table);
    std::filesystem::path ca_pem() const { return state / "ca.pem"; }

    SoftHsmToken softhsm;
    TempDir dir;
    std::filesystem::path state;
    std::unique_ptr<hsm::Token> token;
    std::unique_ptr<ca::HsmSigner> signer;
    std::unique_ptr<ca::HsmRandom> random;
    X509Ptr ca_certificate;
    std::unique_ptr<store::Database> database;
    std::unique_ptr<store::SqliteCertificateStore> certificates;
    std::unique_ptr<store::SqliteBatchStore> batches;
    std::unique_ptr<store::SqliteBulkJobStore> bulk_jobs;
    std::unique_ptr<ca::CertificateAuthority> authority;
    issuance::PinKeys pin_keys;
    std::atomic<int64_t> now_offset{0};                     // seconds added to the system clock
    std::unique_ptr<store::StoreCertificateLookup> lookup;  // revoke rows' serials
    std::unique_ptr<store::SqliteOperatorStore> operators;
    std::unique_ptr<issuance::PolicySigningGate> gate;
    std::unique_ptr<issuance::IssuanceService> service;
    issuance::IssuanceConfig service_config;  // what service was made with

    // Puts an RA operator on record (with a stand-in operator certificate);
    // returns that certificate's serial (hex), e.g. to revoke it.
    std::string register_operator(const std::string& name, const std::string& institution);

    PolicyFixture policy;
    issuance::OperatorInfo op = policy.op;
};

// The inkan::Error fn throws; a failed test expectation if it throws none.
template <typename Fn>
Error error_of(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error thrown";
    return Error(ErrorCategory::Internal, "none", "none");
}

// P12 bulk: requests the ZIP until its background job is ready (fails the
// test after `timeout`), reads it and reports it delivered, as the HTTP
// handler does once it was sent. Errors of download_bulk_zip propagate.
// Polls bulk_zip_status until the job is in `state` (fails the test after `timeout`).
issuance::BulkZipProgress wait_for_job(IssuanceWorld& w, const std::string& retrieval_token,
                                       store::BulkJobState state,
                                       std::chrono::seconds timeout = std::chrono::seconds(60));
issuance::DownloadedFile fetch_bulk_zip(IssuanceWorld& w, const std::string& retrieval_token,
                                        bool legacy = false,
                                        std::chrono::seconds timeout = std::chrono::seconds(120));

// Writes bytes to dir/name and returns the path.
std::filesystem::path write_bytes(const std::filesystem::path& dir, const std::string& name,
                                  const Bytes& content);

}  // namespace inkan::test
