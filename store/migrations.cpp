// Forward-only schema migrations. Append a new entry; never edit an old one.
#include <chrono>

#include "common/error.h"
#include "store/database.h"

namespace inkan::store {
namespace {

const char* const kMigrations[] = {
    // 1: certificates, serial reservations, operators
    R"sql(
CREATE TABLE serials (
    serial_hex   TEXT PRIMARY KEY,
    reserved_at  INTEGER NOT NULL
);
CREATE TABLE certificates (
    serial_hex        TEXT PRIMARY KEY REFERENCES serials(serial_hex),
    serial_dec        TEXT NOT NULL UNIQUE,
    subject           TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    not_before        INTEGER NOT NULL,
    not_after         INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),
    revoked_at        INTEGER,
    revocation_reason INTEGER,
    revocation_comment TEXT,
    kind              TEXT NOT NULL CHECK (kind IN ('subscriber', 'operator', 'tls_server')),
    profile_id        INTEGER,
    institution       TEXT,
    requested_by      TEXT NOT NULL,
    der               BLOB NOT NULL,
    created_at        INTEGER NOT NULL
);
CREATE INDEX certificates_subject ON certificates(subject, status);
CREATE INDEX certificates_institution ON certificates(institution, created_at);
CREATE TABLE operators (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    institution        TEXT NOT NULL,
    email              TEXT NOT NULL DEFAULT '',
    role               TEXT NOT NULL CHECK (role IN ('ra_operator', 'service_admin')),
    certificate_serial TEXT NOT NULL UNIQUE REFERENCES certificates(serial_hex),
    created_at         INTEGER NOT NULL
);
)sql",
    // 2: institutions (policy::InstitutionRegistry)
    R"sql(
CREATE TABLE institutions (
    name        TEXT PRIMARY KEY,
    state       TEXT,
    locality    TEXT,
    created_at  INTEGER NOT NULL
);
CREATE TABLE institution_domains (
    institution      TEXT NOT NULL REFERENCES institutions(name) ON DELETE CASCADE,
    domain           TEXT NOT NULL,
    approval_expires TEXT NOT NULL,
    PRIMARY KEY (institution, domain)
);
CREATE TABLE institution_whois_names (
    institution TEXT NOT NULL REFERENCES institutions(name) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    PRIMARY KEY (institution, name)
);
CREATE TABLE institution_profiles (
    institution TEXT NOT NULL REFERENCES institutions(name) ON DELETE CASCADE,
    profile_id  INTEGER NOT NULL,
    PRIMARY KEY (institution, profile_id)
);
)sql",
    // 3: issuance batches, rows, URL token hashes, notification events
    R"sql(
CREATE TABLE issuance_batches (
    id             TEXT PRIMARY KEY,
    institution    TEXT NOT NULL,
    operator_name  TEXT NOT NULL,
    operator_email TEXT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('issue', 'renew', 'revoke')),
    error_mode     TEXT NOT NULL CHECK (error_mode IN ('abort', 'skip')),
    download_type  INTEGER NOT NULL CHECK (download_type IN (1, 2, 3)),
    report_json    TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX issuance_batches_institution ON issuance_batches(institution, created_at);
CREATE TABLE issuance_rows (
    batch_id        TEXT NOT NULL REFERENCES issuance_batches(id),
    row_no          INTEGER NOT NULL,
    line            INTEGER NOT NULL,
    subject_dn      TEXT NOT NULL,
    profile_id      INTEGER NOT NULL,
    download_type   INTEGER NOT NULL,
    admin_name      TEXT NOT NULL,
    admin_mail      TEXT NOT NULL,
    user_name       TEXT NOT NULL,
    user_mail       TEXT NOT NULL,
    p12_file_name   TEXT NOT NULL,
    raw_json        TEXT NOT NULL,
    pin_nonce       BLOB NOT NULL,
    pin_ciphertext  BLOB,
    status          TEXT NOT NULL CHECK (status IN ('accepted', 'pin_viewed', 'downloaded', 'locked')),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    serial_hex      TEXT,
    downloaded_at   INTEGER,
    PRIMARY KEY (batch_id, row_no)
);
CREATE TABLE issuance_urls (
    token_hash BLOB PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('pin', 'retrieval')),
    batch_id   TEXT NOT NULL REFERENCES issuance_batches(id),
    row_no     INTEGER,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE TABLE notifications (
    id                INTEGER PRIMARY KEY,
    type              TEXT NOT NULL,
    batch_id          TEXT NOT NULL,
    row_no            INTEGER,
    recipient         TEXT NOT NULL,
    serial_hex        TEXT,
    subject           TEXT,
    secret_ciphertext BLOB,
    created_at        INTEGER NOT NULL,
    sent_at           INTEGER
);
CREATE INDEX notifications_pending ON notifications(sent_at, id);
)sql",
    // 4: issuance integrity. A serial reservation may claim a subject DN until its
    // certificate is stored or the reservation is abandoned (settled_at); every
    // certificate issued for a request row names that row and whether it was
    // delivered; rows are found by subject for the duplicate-DN rule; an
    // institution's WHOIS source ('demo' only for the embedded demo institution).
    R"sql(
ALTER TABLE serials ADD COLUMN subject TEXT;
ALTER TABLE serials ADD COLUMN batch_id TEXT;
ALTER TABLE serials ADD COLUMN row_no INTEGER;
ALTER TABLE serials ADD COLUMN settled_at INTEGER;
UPDATE serials SET settled_at = reserved_at;
CREATE INDEX serials_open_subject ON serials(subject) WHERE settled_at IS NULL;
ALTER TABLE certificates ADD COLUMN batch_id TEXT;
ALTER TABLE certificates ADD COLUMN row_no INTEGER;
ALTER TABLE certificates ADD COLUMN delivery TEXT NOT NULL DEFAULT 'delivered'
    CHECK (delivery IN ('pending', 'delivered'));
CREATE INDEX certificates_row ON certificates(batch_id, row_no);
CREATE INDEX certificates_undelivered ON certificates(delivery) WHERE delivery = 'pending';
CREATE INDEX issuance_rows_subject ON issuance_rows(subject_dn, status);
ALTER TABLE notifications ADD COLUMN serial_dec TEXT;
ALTER TABLE institutions ADD COLUMN whois_source TEXT NOT NULL DEFAULT 'registry'
    CHECK (whois_source IN ('registry', 'demo'));
)sql",
    // 5: the duplicate-DN rule compares DNs case-insensitively: indexes to match.
    R"sql(
CREATE INDEX certificates_subject_nocase ON certificates(subject COLLATE NOCASE, status);
CREATE INDEX issuance_rows_subject_nocase ON issuance_rows(subject_dn COLLATE NOCASE, status);
CREATE INDEX serials_open_subject_nocase ON serials(subject COLLATE NOCASE) WHERE settled_at IS NULL;
DROP INDEX issuance_rows_subject;
DROP INDEX serials_open_subject;
)sql",
    // 6: published CRLs. number is the cRLNumber (monotonically increasing, never
    // reused); revoked_count is how many certificates were revoked when it was
    // built (revocation is final, so a different count means a different set).
    R"sql(
CREATE TABLE crls (
    number        INTEGER PRIMARY KEY,
    this_update   INTEGER NOT NULL,
    next_update   INTEGER NOT NULL,
    revoked_count INTEGER NOT NULL,
    der           BLOB NOT NULL,
    created_at    INTEGER NOT NULL
);
)sql",
    // 7: renewal. A renewal row names the certificate it replaces; the
    // download-completed event of a renewal holds the old serial and, while the
    // old certificate was still valid, the revocation request file for it.
    R"sql(
ALTER TABLE issuance_rows ADD COLUMN renews_serial_hex TEXT;
CREATE INDEX issuance_rows_renews ON issuance_rows(renews_serial_hex, status)
    WHERE renews_serial_hex IS NOT NULL;
ALTER TABLE notifications ADD COLUMN old_serial_hex TEXT;
ALTER TABLE notifications ADD COLUMN old_serial_dec TEXT;
ALTER TABLE notifications ADD COLUMN attachment BLOB;
CREATE INDEX notifications_batch ON notifications(batch_id, type);
)sql",
    // 8: the mail outbox. Every notification is a mail: attempts so far, when the
    // next is due, the last failure, and when it was given up (dead).
    R"sql(
ALTER TABLE notifications ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN last_error TEXT;
ALTER TABLE notifications ADD COLUMN dead_at INTEGER;
CREATE INDEX notifications_due ON notifications(next_attempt_at, id)
    WHERE sent_at IS NULL AND dead_at IS NULL;
)sql",
    // 9: per-row URL expiry. An RA operator may re-send a row's expired URLs
    // (new tokens, a new lifetime), so a row's URLs no longer expire with its
    // batch; the duplicate-DN rule and the row status read this column.
    R"sql(
ALTER TABLE issuance_rows ADD COLUMN urls_expire_at INTEGER NOT NULL DEFAULT 0;
UPDATE issuance_rows SET urls_expire_at =
    (SELECT b.expires_at FROM issuance_batches b WHERE b.id = issuance_rows.batch_id);
)sql",
    // 10: the notification (S/MIME) signing certificate is a kind of its own.
    // SQLite cannot change a CHECK constraint: the table is rebuilt. Foreign keys
    // stay on (the migration runs in a transaction): the operators' references
    // are deferred while the table is dropped and re-created, and settled again
    // when the rows are copied back under the same name.
    R"sql(
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE certificates_before_10 AS SELECT * FROM certificates;
DROP TABLE certificates;
CREATE TABLE certificates (
    serial_hex        TEXT PRIMARY KEY REFERENCES serials(serial_hex),
    serial_dec        TEXT NOT NULL UNIQUE,
    subject           TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    not_before        INTEGER NOT NULL,
    not_after         INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),
    revoked_at        INTEGER,
    revocation_reason INTEGER,
    revocation_comment TEXT,
    kind              TEXT NOT NULL
                      CHECK (kind IN ('subscriber', 'operator', 'tls_server', 'mail_signer')),
    profile_id        INTEGER,
    institution       TEXT,
    requested_by      TEXT NOT NULL,
    der               BLOB NOT NULL,
    created_at        INTEGER NOT NULL,
    batch_id          TEXT,
    row_no            INTEGER,
    delivery          TEXT NOT NULL DEFAULT 'delivered' CHECK (delivery IN ('pending', 'delivered'))
);
INSERT INTO certificates SELECT * FROM certificates_before_10;
DROP TABLE certificates_before_10;
CREATE INDEX certificates_subject ON certificates(subject, status);
CREATE INDEX certificates_institution ON certificates(institution, created_at);
CREATE INDEX certificates_row ON certificates(batch_id, row_no);
CREATE INDEX certificates_undelivered ON certificates(delivery) WHERE delivery = 'pending';
CREATE INDEX certificates_subject_nocase ON certificates(subject COLLATE NOCASE, status);
)sql",
    // audit chain (README "Audit trail"): records linked by SHA-256, checkpoints
    // signed in the HSM by the audit key (IF NOT EXISTS: a database set back to an
    // older user_version, as the store tests do, re-runs it harmlessly)
    R"sql(
CREATE TABLE IF NOT EXISTS audit_records (
    seq        INTEGER PRIMARY KEY,
    time       TEXT NOT NULL,
    event      TEXT NOT NULL,
    fields     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_records_event ON audit_records(event, seq);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    seq        INTEGER PRIMARY KEY,
    head_hash  TEXT NOT NULL,
    time       TEXT NOT NULL,
    signature  BLOB NOT NULL
);
)sql",
    // P12-bulk ZIP jobs (issue 12, README "P12 bulk: background ZIP jobs"): the
    // job and its built rows; a row's certificate listed here is delivered by
    // the job, not swept as undelivered at start.
    R"sql(
CREATE TABLE IF NOT EXISTS bulk_jobs (
    batch_id       TEXT PRIMARY KEY REFERENCES issuance_batches(id),
    legacy         INTEGER NOT NULL,
    state          TEXT NOT NULL
                   CHECK (state IN ('queued', 'running', 'ready', 'failed', 'delivered')),
    total          INTEGER NOT NULL,
    done           INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    started_at     INTEGER,
    done_at_start  INTEGER NOT NULL DEFAULT 0,
    finished_at    INTEGER,
    error_code     TEXT NOT NULL DEFAULT '',
    error_message  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS bulk_jobs_unfinished ON bulk_jobs(state) WHERE state IN ('queued', 'running');
CREATE TABLE IF NOT EXISTS bulk_job_files (
    batch_id    TEXT NOT NULL REFERENCES bulk_jobs(batch_id),
    row_no      INTEGER NOT NULL,
    serial_hex  TEXT NOT NULL UNIQUE,
    serial_dec  TEXT NOT NULL,
    zip_name    TEXT NOT NULL,
    PRIMARY KEY (batch_id, row_no)
);
)sql",
};

}  // namespace

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int Database::latest_schema_version() { return static_cast<int>(std::size(kMigrations)); }

Database::Database(const std::string& path) : path_(path), conn_(path) { migrate(); }

void Database::take_over_checkpoints() {
    with([](Connection& c) { c.exec("PRAGMA wal_autocheckpoint=0"); });
}

int Database::checkpoint() {
    std::lock_guard lock(checkpoint_mutex_);
    if (!checkpoint_conn_) checkpoint_conn_ = std::make_unique<Connection>(path_);
    int wal_frames = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(checkpoint_conn_->handle(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        throw_sqlite(checkpoint_conn_->handle(), rc, "WAL checkpoint");
    return wal_frames > copied ? wal_frames - copied : 0;
}

int Database::schema_version() {
    return with([](Connection& c) {
        Statement s(c, "PRAGMA user_version");
        s.step();
        return static_cast<int>(s.int64(0));
    });
}

void Database::migrate() {
    int current = schema_version();
    int latest = latest_schema_version();
    if (current > latest) {
        throw Error(ErrorCategory::Internal, "store_schema_too_new",
                    "database schema version " + std::to_string(current) +
                        " is newer than this build understands (" + std::to_string(latest) + ")");
    }
    for (int v = current; v < latest; ++v) {
        in_transaction([&](Connection& c) {
            c.exec(kMigrations[v]);
            c.exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
        });
    }
}

}  // namespace inkan::store
