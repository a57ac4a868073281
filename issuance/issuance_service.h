// The issuance workflow of one request file (action issue): policy check →
// batch and rows stored (one transaction) → access PINs derived in the HSM →
// PIN page and certificate retrieval by random URL tokens → certificates signed
// at download time through ca::CertificateAuthority (P12 keys made in the HSM as
// session objects and exported once; browser keys come from a CSR / SPKAC).
//
// The caller (api/ handlers, `inkan request submit`) owns HTTP: it authenticates
// the RA operator, passes an OperatorInfo, and maps inkan::Error categories to
// statuses once. Every method is thread-safe (the HTTP server calls from 2+
// threads).
//
// Error codes (category → suggested HTTP status):
//   batch_not_found          NotFound   404  unknown batch or another institution's
//   url_not_found            NotFound   404  unknown PIN / retrieval token (also a PIN
//                                            token used for retrieval and vice versa)
//   pin_url_used             Gone       410  PIN page already shown once
//   pin_url_expired          Gone       410  PIN URL past its lifetime
//   url_expired              Gone       410  retrieval URL past its lifetime
//   already_downloaded       Gone       410  the row was downloaded (and re-download is off)
//   pin_not_retrieved        Conflict   409  bulk ZIP asked before the PIN page was viewed
//   download_in_progress     Conflict   409  the same row is being issued by another request
//   pin_incorrect            Forbidden  403  wrong access PIN (counted; the message says
//                                            how many attempts remain, never the PIN)
//   row_locked               Locked     423  too many wrong PINs (also with the right PIN)
//   wrong_download_type      InvalidInput 400 e.g. download_p12 on a browser row
//   csr_missing              InvalidInput 400 neither CSR nor SPKAC given
//   csr_malformed / csr_bad_signature (InvalidInput 400), csr_key_unsupported
//                            (Unsupported 415/422): from pki/csr.h
//   profile_disabled         InvalidInput 400 the row's profile was disabled since upload
//   at download, before any key is made, the SigningGate re-checks the row with
//   the upload's codes and messages (institution_mismatch, approval_expired,
//   whois_mismatch, whois_connection_failed, domain_not_approved, ...) and the
//   uploading operator (operator_revoked, Forbidden 403); dn_duplicate (Conflict
//   409) if another certificate or request holds the DN by then.
// RA operator's care of a row (unlock_row, resend_urls; the operator's institution
// only, else batch_not_found):
//   row_not_found            NotFound   404  no such row in the batch (row 0 of a
//                                            batch that is not P12 bulk)
//   row_not_locked           Conflict   409  unlock of a row that is not locked
//   url_not_expired          Conflict   409  re-send while the row's URLs are still valid
//   already_downloaded       Gone       410  re-send of a downloaded row (bulk: every row)
//   row_locked               Locked     423  re-send of a locked row: unlock it first
//   bulk_resend_whole_batch  InvalidInput 400 a P12 bulk batch is re-sent as row 0
//   dn_duplicate             Conflict   409  another certificate or request holds the
//                                            DN by now (an expired row holds no claim)
//   row_changed              Conflict   409  the row was downloaded / re-sent meanwhile
//   and the SigningGate's codes, as at download (approval_expired, operator_revoked...).
// File-level problems (empty, mixed download types, too large, bad encoding) are
// NOT thrown: submit() returns them in BatchResult::report (status "rejected").
//
// Identifiers: batch ids are 32 lowercase hex characters from the HSM's RNG
// (unguessable; still scoped to the operator's institution); row ids are 1..n
// within a batch. URL tokens are 43-character base64url strings.
// Unlock and re-send (issue 8; not in the operator manual, whose 再発行 is a
// renewal of a revoked certificate): a row
// locked by wrong PINs is unlocked by an RA operator of its institution (failed
// attempts to 0, status back to pin_viewed / accepted, a downloaded row stays
// downloaded). A row's URLs expire per row (issuance_rows.urls_expire_at, the
// batch's expiry at upload); once expired, the operator may re-send them: NEW PIN
// and retrieval tokens with a new lifetime (config.url_lifetime from now), the old
// tokens deleted (url_not_found) with their unsent events, the PIN page unused
// again, and the same events as submit. A row with expired URLs holds no claim on its DN, so a
// re-send runs the duplicate-DN rule again in the storing transaction and the SigningGate's
// institution / operator re-check before it. A P12 bulk batch has one PIN URL and
// one ZIP URL for all rows: it is re-sent as a whole (row 0), for its rows not
// downloaded yet.
// Events (table `notifications`, sent_at NULL until the notifications issue sends
// them): access_pin_issued and issuance_accepted at submit and at a re-send (recipient per the
// architecture note's flows; the URL token to mail is sealed with AES-GCM in the
// HSM, see notification_url_token), download_completed per downloaded row
// (recipient: the RA operator's email; serial in hex and decimal, and DN).
//
// Certificates of rows: each is stored linked to its row, Delivery::Pending from
// signing until the download is recorded (then Delivered, in the same
// transaction as the row's "downloaded"). A failed delivery revokes it
// (superseded, see issuance/undelivered.h); recover_undelivered() at start
// revokes those a crash left Pending. A re-download (allow_redownload) revokes the
// row's earlier certificate as superseded when the new one is recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/secret.h"
#include "pki/pkcs12.h"
#include "pki/profile.h"
#include "policy/request_check.h"
#include "store/batch_store.h"
#include "store/bulk_job_store.h"

namespace inkan::hsm {
class Token;
class SessionKeyPair;
}  // namespace inkan::hsm
namespace inkan::ca {
class CertificateAuthority;
}
namespace inkan::store {
class BatchStore;
struct NotificationRecord;
}  // namespace inkan::store

namespace inkan::issuance {

class SigningGate;

// Configuration knobs, with their defaults.
// When a P12-bulk ZIP job starts: at upload, when the PIN page was viewed, or
// at the first ZIP download request. It always starts at a download request
// if it has not yet.
enum class BulkJobStart { Upload, PinView, Download };

struct IssuanceConfig {
    std::chrono::seconds url_lifetime = std::chrono::hours(24 * 30);  // PIN and retrieval URLs
    int max_pin_failures = 5;       // wrong PINs per row before it is locked
    bool allow_redownload = false;  // true: a downloaded row may be fetched again until the
                                    // URL expires (a NEW key and certificate each time)
    std::string p12_key_algorithm = "rsa-2048";  // hsm::parse_key_algorithm names: rsa-2048|
                                                 // rsa-3072|rsa-4096|ec-p256|ec-p384
    pki::Pkcs12Options p12_options{};            // AES-256-CBC + PBKDF2-SHA256, 2048 iterations
    size_t pin_length = 12;                      // characters of the derived access PIN (8..51)
    std::vector<pki::CertificateProfile> profiles = pki::default_profiles();
    size_t bulk_threads = 2;  // key generation threads of a bulk ZIP job
    // P12-bulk ZIP jobs: where their files are built (the state folder's
    // bulk-jobs/), when a job starts, and the most rows a P12-bulk file may have.
    std::filesystem::path bulk_jobs_dir;
    BulkJobStart bulk_start = BulkJobStart::PinView;
    size_t bulk_max_rows = 10000;
    // Subscriber key pairs kept ready in the HSM (hsm/key_pool.h), made by the
    // bulk job runner while it has no job; 0: none, every key made on demand.
    size_t key_pool_size = 0;
    // Called while a P12 subscriber key exists in the HSM as session objects,
    // just before it is exported and destroyed (audit, tests). May be empty.
    std::function<void(const hsm::SessionKeyPair&)> on_session_key;
    // Called after a row's certificate is signed and stored, before its delivery
    // is recorded (tests: a failure or a crash at that point). May be empty.
    std::function<void(const std::string& serial_hex)> on_certificate_signed;
};

// The authenticated operator (from its client certificate).
struct OperatorInfo {
    std::string name;
    std::string institution;
    std::string email;  // recipient of download-completed notifications
    // A service admin: sees and cares for every institution's batches (an RA
    // operator only its own institution's). Uploads and revocations by mail
    // stay scoped to `institution`.
    bool every_institution = false;
};

// Hands out the HSM keys the PIN scheme needs (token objects made at init).
struct PinKeys {
    Bytes hmac_key_id;  // CKA_ID of the generic-secret HMAC-SHA256 key
    Bytes aes_key_id;   // CKA_ID of the AES-256 key wrapping file-supplied PINs
};

enum class RowStatus { Accepted, PinViewed, Downloaded, Locked, Expired };
const char* to_string(RowStatus status) noexcept;  // "accepted", "pin_viewed", ...

// A batch as a whole: Open (rows to download with valid URLs), Completed (every
// row downloaded), Expired (the URLs of every row not downloaded have expired).
enum class BatchStatus { Open, Completed, Expired };
const char* to_string(BatchStatus status) noexcept;  // "open", "completed", "expired"

// One accepted row as submit() created it. Tokens are returned ONCE here (only
// their SHA-256 is stored); the caller mails / shows them.
struct AcceptedRow {
    int64_t row_id = 0;  // 1.. within the batch
    size_t line = 0;     // line of the request file
    policy::DownloadType download_type = policy::DownloadType::P12Individual;
    std::string subject_dn;                      // as in the file (CN=..,..,C=JP)
    std::optional<std::string> pin_token;        // P12 individual, browser
    std::optional<std::string> retrieval_token;  // P12 individual, browser
};

// A certificate a revocation request file revoked.
struct RevokedRow {
    size_t line = 0;
    std::string serial;  // decimal
    std::string serial_hex;
    std::string subject_dn;
    int reason = 0;  // RFC 5280 CRLReason
};

// What a revocation by mail address revoked.
struct RevocationResult {
    std::string batch_id;  // names the revocation_completed events
    std::vector<RevokedRow> revoked;
};

struct BatchResult {
    std::optional<std::string> batch_id;  // unset when nothing was stored
    std::string status;                   // "accepted" (rows stored) or "rejected" (nothing)
    nlohmann::json report;                // policy::report_to_json of the check
    std::optional<policy::DownloadType> download_type;
    std::vector<AcceptedRow> rows;
    std::optional<std::string> batch_pin_token;        // P12 bulk: one PIN page for all rows
    std::optional<std::string> batch_retrieval_token;  // P12 bulk: the ZIP URL
    int64_t urls_expire_at = 0;                        // unix seconds
    std::vector<RevokedRow> revoked;                   // action revoke: revoked now, by line
};

struct RowState {
    int64_t row_id = 0;
    size_t line = 0;
    std::string subject_dn;
    int profile_id = 0;
    policy::DownloadType download_type = policy::DownloadType::P12Individual;
    RowStatus status = RowStatus::Accepted;
    int failed_pin_attempts = 0;
    std::optional<std::string> serial_hex;  // last certificate delivered for the row
    std::optional<std::string> serial;      // the same in decimal
    std::optional<int64_t> downloaded_at;
    std::optional<std::string> renews_serial;  // a renewal: the certificate it replaces (decimal)
    int64_t urls_expire_at = 0;  // the row's PIN / retrieval URLs (renewed by a re-send)
};

// A P12-bulk ZIP job (README "P12 bulk: background ZIP jobs").
struct BulkZipProgress {
    std::string batch_id;
    store::BulkJobState state = store::BulkJobState::Queued;
    bool legacy = false;                    // the P12 format the job builds
    int64_t done = 0;                       // rows built
    int64_t total = 0;                      // rows to build
    std::optional<int64_t> eta_seconds;     // Running, once a row was built
    std::string error_code, error_message;  // Failed: why (a new request starts it again)
};

// A ready ZIP on disk, to send; bulk_zip_delivered() once all of it was sent.
struct BulkZipFile {
    std::filesystem::path path;
    std::string file_name;  // "<batch>.zip"
};

// What a ZIP download request gets: the ZIP when it is ready, else progress.
struct BulkZip {
    BulkZipProgress progress;
    std::optional<BulkZipFile> file;
};

struct BatchState {
    std::string batch_id;
    std::string institution;
    std::string operator_name;
    policy::Action action = policy::Action::Issue;
    policy::ErrorMode mode = policy::ErrorMode::Abort;
    policy::DownloadType download_type = policy::DownloadType::P12Individual;
    int64_t created_at = 0;
    int64_t urls_expire_at = 0;  // the latest of its rows' URL expiries
    BatchStatus status = BatchStatus::Open;
    store::BatchRowCounts counts;             // how its rows stand
    std::vector<RowState> rows;               // every row: get_batch() only, not list_batches()
    std::optional<BulkZipProgress> bulk_job;  // P12 bulk, once its ZIP job exists
};

// One PIN as the PIN page shows it.
struct PinEntry {
    int64_t row_id = 0;
    std::string name;  // user's name (col 11), else the subscriber admin's (col 8)
    std::string mail;  // user's mail (col 14), else the admin's (col 10)
    std::string subject_dn;
    SecretString pin;
};

struct PinPage {
    std::string batch_id;
    policy::DownloadType download_type = policy::DownloadType::P12Individual;
    std::vector<PinEntry> entries;
};

// What a PIN URL's page may say before the PINs are revealed (nothing secret).
struct PinUrlState {
    policy::DownloadType download_type = policy::DownloadType::P12Individual;
    int64_t expires_at = 0;  // unix seconds
    size_t rows = 0;         // how many PINs the page will reveal
};

// "name\tmail\tPIN\tDN" records after a header line (LF line ends), UTF-8. The
// result holds PINs: the caller sends it and lets it go (SecretString wipes it).
SecretString pin_page_tsv(const PinPage& page);

struct DownloadedFile {
    std::string file_name;  // "<col 12>.p12" or "<serial decimal>.p12"; "<batch>.zip"
    Bytes content;
    std::string serial_hex;  // P12: the certificate's serial; ZIP: empty
    std::string serial;      // the same in decimal
};

// What the downloader of a P12-individual row may choose.
struct P12Choice {
    std::optional<SecretString> password;  // P12 password; default: the access PIN
    bool legacy = false;                   // 3DES + SHA-1 MAC for old importers
};

// A browser enrollment: exactly one of csr (PKCS#10 PEM/DER/base64) and spkac.
struct BrowserRequest {
    std::optional<Bytes> csr;
    std::optional<std::string> spkac;
};

// A revocation request file (action revoke layout, Shift_JIS, CRLF) for the
// certificates a renewal replaced.
struct RevocationFile {
    std::string file_name;  // "<batch id>-revoke.tsv"
    std::string content;    // Shift_JIS bytes
    size_t rows = 0;
};

struct EnrolledCertificate {
    std::string serial_hex;
    std::string serial;  // decimal
    std::string certificate_pem;
    Bytes certificate_der;
    Bytes pkcs7_der;  // certs-only: the certificate, then the CA
    std::string pkcs7_pem;
};

class IssuanceService {
  public:
    using Now = std::function<int64_t()>;  // unix seconds; injected for expiry tests

    // All references must outlive the service. Finds the PIN keys now (throws
    // Error(NotFound, "hsm_key_not_found") if init did not create them).
    IssuanceService(hsm::Token& token, ca::CertificateAuthority& authority,
                    store::BatchStore& batches, store::BulkJobStore& bulk_jobs,
                    const PinKeys& pin_keys, SigningGate& gate, IssuanceConfig config = {},
                    Now now = {});
    ~IssuanceService();
    IssuanceService(const IssuanceService&) = delete;
    IssuanceService& operator=(const IssuanceService&) = delete;

    // At start, before any download runs: revokes the certificates a crash left
    // signed but undelivered (not those a bulk job built), settles open serial
    // reservations, then resumes the bulk jobs a stop left Queued or Running.
    // Returns how many certificates it revoked.
    size_t recover_undelivered();

    // Checks the file with policy::check_request_file (every row's O must be the
    // operator's institution: institution_mismatch) and stores the accepted rows
    // with their PIN nonces, URL token hashes and the access_pin_issued /
    // issuance_accepted notification events in ONE transaction. Abort mode with any
    // finding, or a file-level error: nothing stored (status "rejected"). The
    // duplicate-DN rule is checked again inside the storing transaction: rows whose
    // DN was claimed since (a concurrent upload) are rejected as dn_duplicate.
    // Action Revoke: the rows' certificates (serial, decimal; DN must match; the
    // operator's institution only; reasons 0 1 3 4 5, 0 with a comment) are revoked
    // at once, in one transaction with their revocation_completed events (to the
    // RA operator, and to the row's column 10/14 mails when given); a certificate
    // revoked already is a notice in the report, not an error; abort/skip as for
    // issue. The batch id names the events; no batch rows are stored.
    // Action Renew: as issue, each row naming the certificate it replaces (column 4,
    // decimal; the operator's institution only, serial_unknown otherwise); CN, OU,
    // O and C must be the old certificate's (serial_dn_mismatch; L and ST may
    // change); one pending renewal per old certificate (renewal_pending, also
    // re-checked in the storing transaction); a revoked or expired old certificate
    // may be renewed. The old certificate does not count against the row's DN in
    // the duplicate-DN rule. Downloads as for issue; the download_completed event
    // then names the old serial and, if the old certificate was still valid, holds
    // its revocation request file (see revocation_file()).
    BatchResult submit(const OperatorInfo& op, std::string_view file, policy::Action action,
                       policy::ErrorMode mode, const policy::CheckContext& context);

    // A person leaves: revokes every valid, unexpired certificate of the operator's
    // institution whose request row names `mail` (user mail, else admin mail; ASCII
    // case-insensitive), with revocation_completed events (to the RA operator and to
    // `mail`) in one transaction. reason: 0 (needs a comment), 1, 3, 4, 5, else
    // revocation_reason_invalid / revocation_comment_required (InvalidInput);
    // mail_invalid for a malformed address. Nothing found: an empty result.
    RevocationResult revoke_by_mail(const OperatorInfo& op, const std::string& mail, int reason,
                                    const std::string& comment);

    // A renewal batch's revocation request file: one row (reason 4 superseded) per
    // replaced certificate that was still valid when its renewal was downloaded and
    // is valid now, in serial order. batch_not_found for another institution's;
    // revocation_file_none (NotFound) for a batch that is not a renewal or has no
    // such row (yet).
    RevocationFile revocation_file(const OperatorInfo& op, const std::string& batch_id);

    // The batch and each row's state; batch_not_found for another institution's.
    BatchState get_batch(const OperatorInfo& op, const std::string& batch_id);
    // Newest first.
    std::vector<BatchState> list_batches(const OperatorInfo& op, size_t limit = 100);

    // Unlocks a row that wrong PINs locked (see the header); the row's new state.
    RowState unlock_row(const OperatorInfo& op, const std::string& batch_id, int64_t row_no);

    // Re-sends a row's expired URLs (P12 bulk: row_no 0, the whole batch; see the
    // header). The result is shaped like submit's, with status "resent", no report,
    // and the new tokens, returned ONCE: rows (each with its tokens; P12 bulk: the
    // rows re-sent, tokens in batch_pin_token / batch_retrieval_token) and the new
    // urls_expire_at.
    BatchResult resend_urls(const OperatorInfo& op, const std::string& batch_id, int64_t row_no);

    // The PIN page: shown once (then pin_url_used), marks the rows pin_viewed.
    PinPage view_pins(const std::string& pin_token);
    // Whether view_pins would still show the PINs, without consuming the URL:
    // pin_url_used / pin_url_expired (Gone), url_not_found (NotFound) as view_pins.
    PinUrlState pin_url_state(const std::string& pin_token);

    // P12 individual: checks the PIN (counted), makes the key in the HSM, issues,
    // builds the P12 under choice.password or the PIN, marks the row downloaded and
    // records a download_completed notification.
    DownloadedFile download_p12(const std::string& retrieval_token, const SecretString& pin,
                                const P12Choice& choice = {});

    // P12 bulk, only after the PIN page was viewed (pin_not_retrieved): one P12
    // per row under its own PIN (legacy: 3DES/SHA-1) + client.txt (serial, name,
    // mail, DN after a header), built by a background job in bulk_jobs_dir. No
    // job (or a Failed one): the rows are re-checked (the signing rules' errors)
    // and a job is queued. A job in progress: its progress. Ready: the rows are
    // re-checked again and the file returned; rows stay undelivered until
    // bulk_zip_delivered(). A job is built in the format of the request that
    // started it; a request for the other format gets bulk_zip_format (Conflict)
    // once it is ready.
    BulkZip download_bulk_zip(const std::string& retrieval_token, bool legacy = false);
    // The ZIP was sent in full: its rows downloaded, download_completed events,
    // the job Delivered and its files removed. Again (a second client): nothing.
    void bulk_zip_delivered(const std::string& retrieval_token);
    // The job of the URL's batch, changing nothing; bulk_job_none (NotFound)
    // before one exists.
    BulkZipProgress bulk_zip_status(const std::string& retrieval_token);

    // Browser: checks the PIN (counted), then the CSR/SPKAC (key policy, signature);
    // the subject is the approved row's DN, never the CSR's.
    EnrolledCertificate enroll_browser(const std::string& retrieval_token, const SecretString& pin,
                                       const BrowserRequest& request);

    // The URL token sealed into an access_pin_issued / issuance_accepted event
    // (for the mail that carries it); nullopt for other events.
    std::optional<std::string> notification_url_token(const store::NotificationRecord& event) const;

    const IssuanceConfig& config() const noexcept;

    struct Impl;  // opaque (issuance/service_impl.h)

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace inkan::issuance
