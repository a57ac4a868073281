// Request batches of the issuance workflow: the batch, its accepted rows, the
// URL tokens (only their SHA-256 is stored) and queued notification events.
// Store knows nothing of PINs: a row keeps only the PIN nonce, or, for a PIN the
// request file supplied, its AES-GCM ciphertext made in the HSM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace inkan::store {

struct BatchRecord {
    std::string id;
    std::string institution;
    std::string operator_name;
    std::string operator_email;
    std::string action;      // "issue"
    std::string error_mode;  // "abort" / "skip"
    int download_type = 0;   // 1 P12 individual, 2 P12 bulk, 3 browser
    std::string report_json;
    int64_t created_at = 0;
    int64_t expires_at = 0;  // URLs of the batch at upload (a re-send renews a row's own)
};

// Row status as stored; "expired" is derived by the reader from urls_expire_at.
// A request row as the store keeps it (the text form is the database's). An
// expired row is still Accepted or PinViewed here: expiry is a matter of time,
// which issuance's RowStatus adds.
enum class StoredRowStatus { Accepted, PinViewed, Downloaded, Locked };
const char* to_string(StoredRowStatus status) noexcept;
StoredRowStatus parse_stored_row_status(const std::string& text);  // unknown: Accepted

struct BatchRowRecord {
    std::string batch_id;
    int64_t row_no = 0;
    int64_t line = 0;
    std::string subject_dn;
    int profile_id = 0;
    int download_type = 0;
    std::string admin_name, admin_mail, user_name, user_mail, p12_file_name;
    std::string raw_json;  // the 15 columns (column 15 blanked)
    Bytes pin_nonce;       // 16 random bytes: the PIN derivation input
    Bytes pin_ciphertext;  // empty unless the file supplied the PIN
    StoredRowStatus status = StoredRowStatus::Accepted;
    int failed_attempts = 0;
    std::optional<std::string> serial_hex;
    std::optional<int64_t> downloaded_at;
    std::optional<std::string> renews_serial_hex;  // a renewal: the certificate it replaces
    int64_t urls_expire_at = 0;  // set by the store: the batch's expiry, or a re-send's
};

// How a batch's rows stand at a moment, counted by the store (so listing
// batches does not read every row of a 100,000-row batch). Expired: neither
// downloaded nor locked, and the row's URLs have expired.
struct BatchRowCounts {
    int64_t rows = 0;
    int64_t accepted = 0;
    int64_t pin_viewed = 0;
    int64_t downloaded = 0;
    int64_t locked = 0;
    int64_t expired = 0;
    int64_t open = 0;                   // not downloaded, URLs still valid (locked ones too)
    int64_t latest_urls_expire_at = 0;  // 0 when the batch has no rows
};

struct UrlRecord {
    Bytes token_hash;  // SHA-256 of the token
    std::string kind;  // "pin" / "retrieval"
    std::string batch_id;
    std::optional<int64_t> row_no;  // unset: the whole batch (P12 bulk)
    int64_t expires_at = 0;
    std::optional<int64_t> used_at;
};

struct NotificationRecord {
    int64_t id = 0;
    std::string type;  // access_pin_issued / issuance_accepted / download_completed
    std::string batch_id;
    std::optional<int64_t> row_no;
    std::string recipient;
    std::optional<std::string> serial_hex;
    std::optional<std::string> serial_dec;  // the same serial in decimal (what mails show)
    std::optional<std::string> subject;
    Bytes secret_ciphertext;  // e.g. a URL token to mail, AES-GCM under the HSM key; may be empty
    int64_t created_at = 0;
    std::optional<int64_t> sent_at;
    // A renewal's download_completed: the certificate replaced, and the revocation
    // request file for it (empty when it was no longer valid).
    std::optional<std::string> old_serial_hex;
    std::optional<std::string> old_serial_dec;
    std::string attachment;
};

struct NewBatch {
    BatchRecord batch;
    std::vector<BatchRowRecord> rows;
    std::vector<UrlRecord> urls;
    std::vector<NotificationRecord> notifications;
};

// Why a new batch's row could not be stored (the rule, as the storing
// transaction saw it).
enum class RowConflict {
    SubjectClaimed,  // the duplicate-DN rule (SubjectClaim)
    RenewalPending,  // another pending renewal names the same old certificate
};
struct ConflictingRow {
    int64_t row_no = 0;
    RowConflict conflict = RowConflict::SubjectClaimed;
    bool operator==(const ConflictingRow&) const = default;
};

// Result of counting a wrong PIN.
struct PinFailure {
    int failed_attempts = 0;
    bool locked = false;
};

class BatchStore {
  public:
    virtual ~BatchStore() = default;

    // Everything of a new batch in one transaction (all or nothing). Inside it,
    // each row's subject is checked against the duplicate-DN rule (SubjectClaim; a
    // renewal row's old certificate does not count) and each renewal row's old
    // certificate against other pending renewals: if any row conflicts, nothing is
    // stored and those rows are returned; an empty result means the batch was stored.
    virtual std::vector<ConflictingRow> create(const NewBatch& batch) = 0;

    virtual std::optional<BatchRecord> find_batch(const std::string& id) = 0;
    // Newest first; of one institution, or of every one (nullopt: a service admin).
    virtual std::vector<BatchRecord> list_batches(const std::optional<std::string>& institution,
                                                  size_t limit) = 0;
    virtual std::vector<BatchRowRecord> rows(const std::string& batch_id) = 0;
    virtual BatchRowCounts row_counts(const std::string& batch_id, int64_t now) = 0;
    virtual std::optional<BatchRowRecord> row(const std::string& batch_id, int64_t row_no) = 0;

    virtual std::optional<UrlRecord> find_url(ByteView token_hash) = 0;

    // Marks an unused PIN URL used and its rows (one, or all of the batch) pin_viewed
    // (rows already further along keep their status). False if it was used already.
    virtual bool consume_pin_url(ByteView token_hash, int64_t now) = 0;

    // Adds one failed attempt; at `limit` the row becomes locked (a downloaded row
    // keeps the status "downloaded" but reports locked: the count decides).
    virtual PinFailure record_pin_failure(const std::string& batch_id, int64_t row_no,
                                          int limit) = 0;

    // Marks rows downloaded (serial, time), their certificates Delivered, and
    // queues their notifications, in one transaction. A row's earlier valid
    // certificates (a re-download) are revoked as superseded (reason 4) in it.
    struct Download {
        int64_t row_no = 0;
        std::string serial_hex;
    };
    virtual void record_downloads(const std::string& batch_id,
                                  const std::vector<Download>& downloads,
                                  const std::vector<NotificationRecord>& notifications,
                                  int64_t now) = 0;

    // Revokes valid certificates and queues their notifications in one
    // transaction (a revocation request file). Certificates revoked already (e.g.
    // by a concurrent request) are skipped and returned; an unknown serial throws
    // NotFound and changes nothing.
    struct Revocation {
        std::string serial_hex;
        int64_t reason = 0;
        std::optional<std::string> comment;
    };
    virtual std::vector<std::string> record_revocations(
        const std::vector<Revocation>& revocations,
        const std::vector<NotificationRecord>& notifications, int64_t when) = 0;

    // A batch's events of one type (sent or not), by row then id.
    virtual std::vector<NotificationRecord> notifications_of(const std::string& batch_id,
                                                             const std::string& type) = 0;
    // An RA operator unlocks a row locked by wrong PINs: failed attempts back to 0
    // and the status it had before (pin_viewed if its PIN URL was used, else
    // accepted; a downloaded row stays downloaded). False (nothing changed) if the
    // row is not locked (status locked, or `limit` failed attempts).
    virtual bool unlock_row(const std::string& batch_id, int64_t row_no, int limit) = 0;

    // A re-send of expired URLs, in one transaction. Each row is checked against
    // the rules of create() first (an expired row holds no claim): if any row
    // conflicts, nothing changes and those rows are returned.
    // Else the rows' old URLs (whole_batch: the batch's, P12 bulk) and their
    // unsent access_pin_issued / issuance_accepted events are deleted, `urls` stored, the rows'
    // URLs expire at `expires_at` and their PIN page is unused again (pin_viewed → accepted), and
    // `notifications` are queued. A row that is no longer re-sendable (downloaded, locked or
    // renewed meanwhile) throws Conflict row_changed and changes nothing.
    struct UrlRenewal {
        std::string batch_id;
        std::vector<int64_t> row_nos;
        bool whole_batch = false;
        std::vector<UrlRecord> urls;
        std::vector<NotificationRecord> notifications;
        int64_t expires_at = 0;
        int64_t now = 0;
    };
    virtual std::vector<ConflictingRow> renew_urls(const UrlRenewal& renewal) = 0;

    // Notifications not sent yet (oldest first), optionally of one batch.
    virtual std::vector<NotificationRecord> pending_notifications(
        const std::optional<std::string>& batch_id = std::nullopt) = 0;
    virtual void mark_notification_sent(int64_t id, int64_t when) = 0;
};

}  // namespace inkan::store
