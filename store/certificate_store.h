// Certificates the CA has issued, and the serial numbers it has reserved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace inkan::store {

enum class CertificateKind { Subscriber, Operator, TlsServer, MailSigner };
enum class CertificateStatus { Valid, Revoked };
// Whether the certificate reached its subscriber. A request row's certificate is
// Pending from signing until its download is recorded; one still Pending after a
// crash is revoked at the next start (IssuanceService::recover_undelivered).
enum class Delivery { Pending, Delivered };

const char* to_string(CertificateKind kind);
const char* to_string(CertificateStatus status);
const char* to_string(Delivery delivery);

// One request row: (batch id, row number).
struct RowRef {
    std::string batch_id;
    int64_t row_no = 0;
    bool operator==(const RowRef&) const = default;
};

// The subject DN a serial reservation claims for a subscriber certificate (the
// duplicate-DN rule, service code 212). A subject is claimed while any of these
// holds: a valid, unexpired subscriber certificate has it; a request row with it
// is accepted or pin_viewed, its URLs have not expired (per row: a re-send renews
// them; a row with expired URLs holds no claim) and its uploading
// operator is not revoked; an unsettled reservation claims it. DNs compare
// case-insensitively (ASCII). `row`'s own certificates and own pending state do not
// count against it (a re-download supersedes the row's earlier certificate).
struct SubjectClaim {
    std::string subject;  // request form, "CN=..,O=..,C=JP"
    std::optional<RowRef> row;
    // A renewal: the certificate it replaces does not count against it.
    std::optional<std::string> replaces_serial_hex = std::nullopt;
};
struct CertificateRecord {
    std::string serial_hex;  // lowercase, no leading zeros
    std::string serial_dec;
    std::string subject;  // request-file form "CN=..,O=..,C=JP" (pki::name_to_request_form)
    std::string issuer;
    int64_t not_before = 0;  // unix seconds
    int64_t not_after = 0;
    CertificateStatus status = CertificateStatus::Valid;
    std::optional<int64_t> revoked_at;
    std::optional<int64_t> revocation_reason;
    std::optional<std::string> revocation_comment;
    CertificateKind kind = CertificateKind::Subscriber;
    std::optional<int64_t> profile_id;
    std::optional<std::string> institution;
    std::string requested_by;
    Bytes der;
    int64_t created_at = 0;
    std::optional<RowRef> row;  // the request row it was issued for
    Delivery delivery = Delivery::Delivered;
};

struct CertificateFilter {
    std::optional<std::string> institution;
    std::optional<CertificateKind> kind;
    std::optional<CertificateStatus> status;
    size_t limit = 1000;
    size_t offset = 0;
};

// The operators' look-up of subscriber certificates (GET /api/v1/certificates).
// Valid and Expired are both stored as valid: Expired when not_after <= now.
enum class Validity { Valid, Revoked, Expired };

struct CertificateQuery {
    std::optional<std::string> institution;       // none: every institution
    std::optional<std::string> subject;           // exact, request form "CN=..,O=..,C=JP"
    std::optional<std::string> subject_contains;  // substring of the subject, case-sensitive
    // The subscriber mail of the certificate's request row: the user mail, else
    // the admin mail (ASCII case-insensitive). Certificates without a row never match.
    std::optional<std::string> mail;
    std::optional<std::string> serial_hex;  // the store's form (ca::serial_key)
    std::optional<Validity> validity;
    int64_t now = 0;
    size_t limit = 100;
    size_t offset = 0;
};

struct CertificateMatch {
    CertificateRecord record;
    std::optional<std::string> mail;  // see CertificateQuery::mail; none without a row
};

struct CertificatePage {
    std::vector<CertificateMatch>
        matches;       // newest first (created_at, then insertion order, descending)
    size_t total = 0;  // all matches, ignoring limit and offset
};

// One subscriber certificate with what its request row and batch say about it
// (the certificate information download, GET /api/v1/export). Without a row
// (issued from a CSR) the row fields are empty.
struct CertificateExportRow {
    int64_t rowid = 0;  // the paging cursor (CertificateStore::export_page)
    CertificateRecord record;
    std::optional<std::string> action;  // the batch's: "issue" or "renew"
    std::optional<int64_t> download_type;
    std::string admin_name, admin_mail, user_name, user_mail;
    std::optional<int64_t> downloaded_at;
    std::optional<int64_t> url_expires_at;         // the batch's retrieval-URL expiry
    std::optional<std::string> renews_serial_dec;  // the certificate this one replaces
};

// Counts of subscriber certificates (issue 9 point 5). issued: every certificate
// signed; renewed: those whose request row renews another; revoked; valid: not
// revoked and not expired now; expiring: valid and expiring within 30 days.
struct CertificateCounts {
    int64_t issued = 0, renewed = 0, revoked = 0, valid = 0, expiring = 0;
    bool operator==(const CertificateCounts&) const = default;
};
struct CertificateStatistics {
    CertificateCounts total;
    // Keyed "YYYY-MM" (UTC) of issuance, except revoked: month of revocation.
    std::vector<std::pair<std::string, CertificateCounts>> by_month;
    std::vector<std::pair<int64_t, CertificateCounts>> by_profile;
    // Download type 1, 2, 3; 0 for certificates issued from a CSR (no request row).
    std::vector<std::pair<int64_t, CertificateCounts>> by_download_type;
};

struct RevokedEntry {
    std::string serial_hex;
    int64_t revoked_at = 0;
    int64_t reason = 0;
};

class CertificateStore {
  public:
    virtual ~CertificateStore() = default;

    // Records a serial before anything is signed with it. A serial that was
    // ever reserved can never be reserved again: throws Error(Conflict,
    // "serial_collision"). With a claim, in the same transaction: throws
    // Error(Conflict, "dn_duplicate") if the subject is claimed already, else the
    // reservation claims it until insert() or abandon_serial() settles it.
    virtual void reserve_serial(const std::string& serial_hex,
                                const std::optional<SubjectClaim>& claim = std::nullopt) = 0;
    // Stores an issued certificate and settles its reservation (one transaction);
    // its serial must have been reserved.
    virtual void insert(const CertificateRecord& record) = 0;
    // Settles a reservation that will get no certificate (signing failed).
    virtual void abandon_serial(const std::string& serial_hex) = 0;
    // Settles every unsettled reservation (at start: a crash left them). Returns how many.
    virtual size_t settle_open_reservations() = 0;
    // Whether `claim.subject` is claimed (see SubjectClaim), not counting claim.row.
    virtual bool subject_claimed(const SubjectClaim& claim, int64_t now) = 0;
    // Whether a renewal row naming this certificate is pending (accepted or PIN
    // viewed, URLs not expired, uploader not revoked).
    virtual bool renewal_pending(const std::string& serial_hex, int64_t now) = 0;
    // Valid certificates still Delivery::Pending, oldest first, except those a
    // P12-bulk job built into its files (store/bulk_job_store.h: the job delivers them).
    virtual std::vector<CertificateRecord> undelivered() = 0;
    virtual std::optional<CertificateRecord> find(const std::string& serial_hex) = 0;
    virtual std::optional<CertificateRecord> find_by_decimal(const std::string& serial_dec) = 0;
    virtual std::vector<CertificateRecord> list(const CertificateFilter& filter) = 0;
    // Subscriber certificates only (never operator or TLS certificates).
    virtual CertificatePage search_subscribers(const CertificateQuery& query) = 0;
    // The certificate information download: up to `limit` matches of `query`
    // (its limit and offset ignored) with rowid > after_rowid, oldest first.
    virtual std::vector<CertificateExportRow> export_page(const CertificateQuery& query,
                                                          int64_t after_rowid, size_t limit) = 0;
    // Subscriber certificates of one institution (none: all), counted by SQL
    // aggregates; `now` decides valid and expiring.
    virtual CertificateStatistics statistics(const std::optional<std::string>& institution,
                                             int64_t now) = 0;
    // Marks a valid certificate revoked. Throws NotFound for an unknown serial
    // and Conflict when it is already revoked.
    virtual void revoke(const std::string& serial_hex, int64_t reason,
                        const std::optional<std::string>& comment, int64_t when) = 0;
    virtual std::vector<RevokedEntry> revoked() = 0;
};

}  // namespace inkan::store
