// Private: the state IssuanceService's two source files share.
#pragma once

#include <mutex>
#include <set>
#include <utility>

#include "ca/certificate_authority.h"
#include "hsm/key_generation.h"
#include "hsm/key_pool.h"
#include "hsm/token.h"
#include "issuance/issuance_service.h"
#include "issuance/pin_deriver.h"
#include "issuance/signing_gate.h"
#include "store/batch_store.h"
#include "store/bulk_job_store.h"

namespace inkan::issuance {

// The rules of a file's error mode: nothing is stored after a file-level error,
// in Abort mode after any finding, or when there are no rows to store (no_rows).
bool nothing_to_store(const policy::CheckReport& report, bool no_rows);

// An accepted request row to store, with the certificate it renews.
struct RequestToStore {
    const policy::IssueRow& row;
    std::optional<std::string> renews_serial_hex;
};
std::vector<RequestToStore> requests_to_store(const policy::CheckReport& report);

// A batch ready to store, and what submit() returns of it.
struct NewBatchPlan {
    store::NewBatch batch;
    BatchResult result;
};

class BulkJobRunner;
class UndeliveredCertificates;

// A row's certificate and its P12.
struct IssuedP12 {
    Bytes p12;
    std::string serial_hex;
    std::string serial_dec;
};

struct IssuanceService::Impl {
    Impl(hsm::Token& t, ca::CertificateAuthority& a, store::BatchStore& b, store::BulkJobStore& j,
         const PinKeys& keys, SigningGate& g, IssuanceConfig c, Now n);
    ~Impl();

    hsm::Token& token;
    ca::CertificateAuthority& authority;
    store::BatchStore& batches;
    store::BulkJobStore& bulk_jobs;
    SigningGate& gate;
    IssuanceConfig config;
    Now now;
    PinDeriver pins;
    hsm::KeyAlgorithm p12_key_algorithm;
    std::unique_ptr<hsm::KeyPool> key_pool;  // when config.key_pool_size > 0

    // Rows being issued right now (one download per row at a time).
    std::mutex claims_mutex;
    std::set<std::pair<std::string, int64_t>> claims;
    // Orders a bulk ZIP's start, serving and delivery (short: nothing is signed under it).
    std::mutex bulk_mutex;

    // The URL named by a token, of that kind and not expired; else the errors of
    // the header (url_not_found, pin_url_expired / url_expired).
    store::UrlRecord open_url(const std::string& url_token, const char* kind);
    // The row's access PIN (derived, or the file's own decrypted).
    SecretString pin_of(const store::BatchRowRecord& row);
    // Checks the row may be downloaded and the PIN is right (counting a failure).
    void check_row_and_pin(const store::BatchRowRecord& row, const SecretString& pin);
    void check_downloadable(const store::BatchRowRecord& row);
    pki::CertificateProfile profile_of(const store::BatchRowRecord& row) const;
    // The rules of the upload, again, before a row is signed (SigningGate).
    void recheck(const store::BatchRecord& batch, const store::BatchRowRecord& row);
    ca::IssueSpec issue_spec(const store::BatchRecord& batch, const store::BatchRowRecord& row,
                             EVP_PKEY* public_key) const;
    store::NotificationRecord download_notification(const store::BatchRecord& batch,
                                                    const store::BatchRowRecord& row,
                                                    const std::string& serial_hex) const;
    NewBatchPlan plan_batch(const OperatorInfo& op, const policy::CheckReport& report,
                            const std::vector<RequestToStore>& requests,
                            const std::string& batch_id);
    // New PIN and retrieval URL tokens for `rows` (one pair each; P12 bulk: one
    // pair for the batch) with their sealed access_pin_issued / issuance_accepted
    // events, created at `created`, expiring at `expires`. The tokens go into
    // result.rows / result.batch_*_token (returned once), their hashes into `urls`.
    void add_urls(const std::string& batch_id, const std::string& operator_email,
                  const std::vector<store::BatchRowRecord>& rows, int64_t created, int64_t expires,
                  std::vector<store::UrlRecord>& urls,
                  std::vector<store::NotificationRecord>& events, BatchResult& result);
    // The batch, if it is the operator's institution's; else batch_not_found.
    store::BatchRecord own_batch(const OperatorInfo& op, const std::string& batch_id);
    store::BatchRowRecord row_in(const store::BatchRecord& batch, int64_t row_no);
    BatchResult submit_revocations(const OperatorInfo& op, const policy::CheckReport& report);
    store::BatchRecord batch_of(const store::UrlRecord& url);
    store::BatchRowRecord row_of(const store::UrlRecord& url);
    // Key in the HSM (session objects) → certificate (added to `undelivered`) →
    // P12 under `password`.
    IssuedP12 issue_p12(const store::BatchRecord& batch, const store::BatchRowRecord& row,
                        const SecretString& password, bool legacy,
                        UndeliveredCertificates& undelivered);

    // Declared last: stopped and joined before the rest goes.
    std::unique_ptr<BulkJobRunner> runner;
};

// Error(InvalidInput, "wrong_download_type") unless the batch is of `expected`.
void require_download_type(int actual, policy::DownloadType expected, const char* what);

// Queues a bulk ZIP job of `rows` rows for the batch unless one is Queued,
// Running, Ready (store::BulkJobStore::create). Call under bulk_mutex.
void start_bulk_job(IssuanceService::Impl& m, const std::string& batch_id, bool legacy,
                    size_t rows);
// The batch's bulk job as the operator and the downloader see it, if any.
std::optional<BulkZipProgress> bulk_progress(IssuanceService::Impl& m, const std::string& batch_id);

// "<col 12>.p12", else "<serial decimal>.p12".
std::string p12_file_name(const store::BatchRowRecord& row, const std::string& serial_dec);

// A stored row as the operator sees it at `now`.
RowState row_state(const store::BatchRowRecord& row, int64_t now);

// Holds a row for one download; released on destruction.
class RowClaim {
  public:
    RowClaim(IssuanceService::Impl& impl, std::string batch_id, int64_t row_no);
    ~RowClaim();
    RowClaim(const RowClaim&) = delete;
    RowClaim& operator=(const RowClaim&) = delete;

  private:
    IssuanceService::Impl& impl_;
    std::pair<std::string, int64_t> key_;
};

}  // namespace inkan::issuance
