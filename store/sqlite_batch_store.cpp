#include "store/sqlite_batch_store.h"

#include <algorithm>

#include "common/error.h"
#include "store/notification_rows.h"
#include "store/subject_claims.h"

namespace inkan::store {
namespace {

constexpr const char* kBatchColumns =
    "id, institution, operator_name, operator_email, action, error_mode, download_type, "
    "report_json, created_at, expires_at";

constexpr const char* kRowColumns =
    "batch_id, row_no, line, subject_dn, profile_id, download_type, admin_name, admin_mail, "
    "user_name, user_mail, p12_file_name, raw_json, pin_nonce, pin_ciphertext, status, "
    "failed_attempts, serial_hex, downloaded_at, renews_serial_hex, urls_expire_at";

}  // namespace

const char* to_string(StoredRowStatus status) noexcept {
    switch (status) {
        case StoredRowStatus::Accepted:
            return "accepted";
        case StoredRowStatus::PinViewed:
            return "pin_viewed";
        case StoredRowStatus::Downloaded:
            return "downloaded";
        case StoredRowStatus::Locked:
            return "locked";
    }
    return "accepted";
}

StoredRowStatus parse_stored_row_status(const std::string& text) {
    if (text == "pin_viewed") return StoredRowStatus::PinViewed;
    if (text == "downloaded") return StoredRowStatus::Downloaded;
    if (text == "locked") return StoredRowStatus::Locked;
    return StoredRowStatus::Accepted;
}

namespace {

BatchRecord read_batch(const Statement& s) {
    BatchRecord b;
    b.id = s.text(0);
    b.institution = s.text(1);
    b.operator_name = s.text(2);
    b.operator_email = s.text(3);
    b.action = s.text(4);
    b.error_mode = s.text(5);
    b.download_type = static_cast<int>(s.int64(6));
    b.report_json = s.text(7);
    b.created_at = s.int64(8);
    b.expires_at = s.int64(9);
    return b;
}

BatchRowRecord read_row(const Statement& s) {
    BatchRowRecord r;
    r.batch_id = s.text(0);
    r.row_no = s.int64(1);
    r.line = s.int64(2);
    r.subject_dn = s.text(3);
    r.profile_id = static_cast<int>(s.int64(4));
    r.download_type = static_cast<int>(s.int64(5));
    r.admin_name = s.text(6);
    r.admin_mail = s.text(7);
    r.user_name = s.text(8);
    r.user_mail = s.text(9);
    r.p12_file_name = s.text(10);
    r.raw_json = s.text(11);
    r.pin_nonce = s.blob(12);
    r.pin_ciphertext = s.is_null(13) ? Bytes{} : s.blob(13);
    r.status = parse_stored_row_status(s.text(14));
    r.failed_attempts = static_cast<int>(s.int64(15));
    r.serial_hex = s.opt_text(16);
    r.downloaded_at = s.opt_int64(17);
    r.renews_serial_hex = s.opt_text(18);
    r.urls_expire_at = s.int64(19);
    return r;
}

void insert_url(Connection& c, const UrlRecord& u) {
    Statement s(c,
                "INSERT INTO issuance_urls (token_hash, kind, batch_id, row_no, expires_at, "
                "used_at) VALUES (?,?,?,?,?,?)");
    s.bind(1, ByteView(u.token_hash)).bind(2, u.kind).bind(3, u.batch_id).bind(4, u.row_no);
    s.bind(5, u.expires_at).bind(6, u.used_at).run();
}

// The rules for rows about to hold their DN (and a renewal its old certificate):
// the rows another certificate, request or reservation conflicts with.
std::vector<ConflictingRow> conflicting_rows(Connection& c, const std::vector<BatchRowRecord>& rows,
                                             bool own_rows, int64_t now) {
    std::vector<ConflictingRow> conflicts;
    for (const auto& r : rows) {
        std::optional<RowRef> self;
        if (own_rows) self = RowRef{r.batch_id, r.row_no};
        if (r.renews_serial_hex && renewal_pending(c, *r.renews_serial_hex, now)) {
            conflicts.push_back({r.row_no, RowConflict::RenewalPending});
        } else if (subject_claimed(c, {r.subject_dn, self, r.renews_serial_hex}, now)) {
            conflicts.push_back({r.row_no, RowConflict::SubjectClaimed});
        }
    }
    return conflicts;
}

}  // namespace

std::vector<ConflictingRow> SqliteBatchStore::create(const NewBatch& nb) {
    return db_.in_transaction([&](Connection& c) {
        std::vector<ConflictingRow> claimed = conflicting_rows(c, nb.rows, false, unix_now());
        if (!claimed.empty()) return claimed;
        const BatchRecord& b = nb.batch;
        Statement sb(c, std::string("INSERT INTO issuance_batches (") + kBatchColumns +
                            ") VALUES (?,?,?,?,?,?,?,?,?,?)");
        sb.bind(1, b.id).bind(2, b.institution).bind(3, b.operator_name).bind(4, b.operator_email);
        sb.bind(5, b.action).bind(6, b.error_mode).bind(7, int64_t{b.download_type});
        sb.bind(8, b.report_json).bind(9, b.created_at).bind(10, b.expires_at).run();

        for (const auto& r : nb.rows) {
            Statement s(c, std::string("INSERT INTO issuance_rows (") + kRowColumns +
                               ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
            s.bind(1, r.batch_id).bind(2, r.row_no).bind(3, r.line).bind(4, r.subject_dn);
            s.bind(5, int64_t{r.profile_id}).bind(6, int64_t{r.download_type});
            s.bind(7, r.admin_name)
                .bind(8, r.admin_mail)
                .bind(9, r.user_name)
                .bind(10, r.user_mail);
            s.bind(11, r.p12_file_name).bind(12, r.raw_json).bind(13, ByteView(r.pin_nonce));
            if (r.pin_ciphertext.empty()) {
                s.bind_null(14);
            } else {
                s.bind(14, ByteView(r.pin_ciphertext));
            }
            s.bind(15, std::string(to_string(r.status)))
                .bind(16, int64_t{r.failed_attempts})
                .bind(17, r.serial_hex);
            s.bind(18, r.downloaded_at).bind(19, r.renews_serial_hex).bind(20, b.expires_at).run();
        }
        for (const auto& u : nb.urls) insert_url(c, u);
        for (const auto& n : nb.notifications) insert_notification(c, n);
        return claimed;
    });
}

std::optional<BatchRecord> SqliteBatchStore::find_batch(const std::string& id) {
    return db_.with([&](Connection& c) -> std::optional<BatchRecord> {
        Statement s(c,
                    std::string("SELECT ") + kBatchColumns + " FROM issuance_batches WHERE id = ?");
        s.bind(1, id);
        if (!s.step()) return std::nullopt;
        return read_batch(s);
    });
}

std::vector<BatchRecord> SqliteBatchStore::list_batches(
    const std::optional<std::string>& institution, size_t limit) {
    return db_.with([&](Connection& c) {
        Statement s(c, std::string("SELECT ") + kBatchColumns +
                           " FROM issuance_batches WHERE (?1 IS NULL OR institution = ?1) "
                           "ORDER BY created_at DESC, rowid DESC LIMIT ?2");
        s.bind(1, institution).bind(2, static_cast<int64_t>(limit));
        std::vector<BatchRecord> out;
        while (s.step()) out.push_back(read_batch(s));
        return out;
    });
}

std::vector<BatchRowRecord> SqliteBatchStore::rows(const std::string& batch_id) {
    return db_.with([&](Connection& c) {
        Statement s(c, std::string("SELECT ") + kRowColumns +
                           " FROM issuance_rows WHERE batch_id = ? ORDER BY row_no");
        s.bind(1, batch_id);
        std::vector<BatchRowRecord> out;
        while (s.step()) out.push_back(read_row(s));
        return out;
    });
}

// One pass over the batch's rows in SQLite (primary key batch_id, row_no); the
// same rules as issuance's row_status().
BatchRowCounts SqliteBatchStore::row_counts(const std::string& batch_id, int64_t now) {
    return db_.with([&](Connection& c) {
        Statement s(c,
                    "SELECT COUNT(*), "
                    "  TOTAL(status NOT IN ('downloaded','locked','pin_viewed') AND "
                    "        urls_expire_at > ?2), "
                    "  TOTAL(status = 'pin_viewed' AND urls_expire_at > ?2), "
                    "  TOTAL(status = 'downloaded'), TOTAL(status = 'locked'), "
                    "  TOTAL(status NOT IN ('downloaded','locked') AND urls_expire_at <= ?2), "
                    "  TOTAL(status != 'downloaded' AND urls_expire_at > ?2), "
                    "  COALESCE(MAX(urls_expire_at), 0) "
                    "FROM issuance_rows WHERE batch_id = ?1");
        s.bind(1, batch_id).bind(2, now);
        BatchRowCounts out;
        if (s.step()) {
            out.rows = s.int64(0);
            out.accepted = s.int64(1);
            out.pin_viewed = s.int64(2);
            out.downloaded = s.int64(3);
            out.locked = s.int64(4);
            out.expired = s.int64(5);
            out.open = s.int64(6);
            out.latest_urls_expire_at = s.int64(7);
        }
        return out;
    });
}

std::optional<BatchRowRecord> SqliteBatchStore::row(const std::string& batch_id, int64_t row_no) {
    return db_.with([&](Connection& c) -> std::optional<BatchRowRecord> {
        Statement s(c, std::string("SELECT ") + kRowColumns +
                           " FROM issuance_rows WHERE batch_id = ? AND row_no = ?");
        s.bind(1, batch_id).bind(2, row_no);
        if (!s.step()) return std::nullopt;
        return read_row(s);
    });
}

std::optional<UrlRecord> SqliteBatchStore::find_url(ByteView token_hash) {
    return db_.with([&](Connection& c) -> std::optional<UrlRecord> {
        Statement s(c,
                    "SELECT token_hash, kind, batch_id, row_no, expires_at, used_at "
                    "FROM issuance_urls WHERE token_hash = ?");
        s.bind(1, token_hash);
        if (!s.step()) return std::nullopt;
        UrlRecord u;
        u.token_hash = s.blob(0);
        u.kind = s.text(1);
        u.batch_id = s.text(2);
        u.row_no = s.opt_int64(3);
        u.expires_at = s.int64(4);
        u.used_at = s.opt_int64(5);
        return u;
    });
}

bool SqliteBatchStore::consume_pin_url(ByteView token_hash, int64_t now) {
    return db_.in_transaction([&](Connection& c) {
        Statement s(c,
                    "UPDATE issuance_urls SET used_at = ? "
                    "WHERE token_hash = ? AND kind = 'pin' AND used_at IS NULL "
                    "RETURNING batch_id, row_no");
        s.bind(1, now).bind(2, token_hash);
        if (!s.step()) return false;
        std::string batch_id = s.text(0);
        std::optional<int64_t> row_no = s.opt_int64(1);
        while (s.step()) {
        }
        Statement u(c,
                    "UPDATE issuance_rows SET status = 'pin_viewed' "
                    "WHERE batch_id = ? AND (? IS NULL OR row_no = ?) AND status = 'accepted'");
        u.bind(1, batch_id).bind(2, row_no).bind(3, row_no).run();
        return true;
    });
}

PinFailure SqliteBatchStore::record_pin_failure(const std::string& batch_id, int64_t row_no,
                                                int limit) {
    return db_.in_transaction([&](Connection& c) {
        Statement s(c,
                    "UPDATE issuance_rows SET failed_attempts = failed_attempts + 1, "
                    "status = CASE WHEN failed_attempts + 1 >= ? AND status != 'downloaded' "
                    "THEN 'locked' ELSE status END "
                    "WHERE batch_id = ? AND row_no = ? RETURNING failed_attempts, status");
        s.bind(1, int64_t{limit}).bind(2, batch_id).bind(3, row_no);
        if (!s.step()) {
            throw Error(ErrorCategory::NotFound, "row_not_found", "no such request row");
        }
        const int attempts = static_cast<int>(s.int64(0));
        PinFailure f{attempts, s.text(1) == "locked" || attempts >= limit};
        while (s.step()) {
        }
        return f;
    });
}

void SqliteBatchStore::record_downloads(const std::string& batch_id,
                                        const std::vector<Download>& downloads,
                                        const std::vector<NotificationRecord>& notifications,
                                        int64_t now) {
    db_.in_transaction([&](Connection& c) {
        for (const auto& d : downloads) {
            Statement s(c,
                        "UPDATE issuance_rows SET status = 'downloaded', serial_hex = ?, "
                        "downloaded_at = ? WHERE batch_id = ? AND row_no = ?");
            s.bind(1, d.serial_hex).bind(2, now).bind(3, batch_id).bind(4, d.row_no).run();
            Statement delivered(
                c, "UPDATE certificates SET delivery = 'delivered' WHERE serial_hex = ?");
            delivered.bind(1, d.serial_hex).run();
            Statement superseded(
                c,
                "UPDATE certificates SET status = 'revoked', revoked_at = ?, "
                "revocation_reason = 4, revocation_comment = ? "
                "WHERE batch_id = ? AND row_no = ? AND serial_hex != ? AND status = 'valid'");
            superseded.bind(1, now).bind(
                2, std::string("superseded by a new download of the same request row"));
            superseded.bind(3, batch_id).bind(4, d.row_no).bind(5, d.serial_hex).run();
        }
        for (const auto& n : notifications) insert_notification(c, n);
    });
}

std::vector<std::string> SqliteBatchStore::record_revocations(
    const std::vector<Revocation>& revocations,
    const std::vector<NotificationRecord>& notifications, int64_t when) {
    return db_.in_transaction([&](Connection& c) {
        std::vector<std::string> already;
        for (const auto& r : revocations) {
            Statement u(c,
                        "UPDATE certificates SET status = 'revoked', revoked_at = ?, "
                        "revocation_reason = ?, "
                        "revocation_comment = ? WHERE serial_hex = ? AND status = 'valid' "
                        "RETURNING serial_hex");
            u.bind(1, when).bind(2, r.reason).bind(3, r.comment).bind(4, r.serial_hex);
            if (u.step()) {
                while (u.step()) {
                }
                continue;
            }
            Statement q(c, "SELECT 1 FROM certificates WHERE serial_hex = ?");
            q.bind(1, r.serial_hex);
            if (!q.step()) {
                throw Error(ErrorCategory::NotFound, "certificate_not_found",
                            "no certificate with serial " + r.serial_hex);
            }
            already.push_back(r.serial_hex);
        }
        for (const auto& n : notifications)
            if (!n.serial_hex ||
                std::find(already.begin(), already.end(), *n.serial_hex) == already.end())
                insert_notification(c, n);
        return already;
    });
}

std::vector<NotificationRecord> SqliteBatchStore::notifications_of(const std::string& batch_id,
                                                                   const std::string& type) {
    return db_.with([&](Connection& c) {
        Statement s(c,
                    std::string("SELECT ") + kNotificationColumns +
                        " FROM notifications WHERE batch_id = ? AND type = ? ORDER BY row_no, id");
        s.bind(1, batch_id).bind(2, type);
        std::vector<NotificationRecord> out;
        while (s.step()) out.push_back(read_notification(s));
        return out;
    });
}

bool SqliteBatchStore::unlock_row(const std::string& batch_id, int64_t row_no, int limit) {
    return db_.in_transaction([&](Connection& c) {
        // pin_viewed if the row's current PIN URL (P12 bulk: the batch's) was used;
        // a re-send deletes the old URLs.
        Statement s(c,
                    "UPDATE issuance_rows SET failed_attempts = 0, status = CASE "
                    "  WHEN status != 'locked' THEN status "
                    "  WHEN EXISTS (SELECT 1 FROM issuance_urls u WHERE u.batch_id = ?1 "
                    "    AND u.kind = 'pin' AND (u.row_no = ?2 OR u.row_no IS NULL) "
                    "    AND u.used_at IS NOT NULL) THEN 'pin_viewed' "
                    "  ELSE 'accepted' END "
                    "WHERE batch_id = ?1 AND row_no = ?2 "
                    "  AND (status = 'locked' OR failed_attempts >= ?3) RETURNING status");
        s.bind(1, batch_id).bind(2, row_no).bind(3, int64_t{limit});
        if (!s.step()) return false;
        while (s.step()) {
        }
        return true;
    });
}

std::vector<ConflictingRow> SqliteBatchStore::renew_urls(const UrlRenewal& r) {
    return db_.in_transaction([&](Connection& c) {
        std::vector<BatchRowRecord> rows;
        for (int64_t row_no : r.row_nos) {
            Statement q(c, std::string("SELECT ") + kRowColumns +
                               " FROM issuance_rows WHERE batch_id = ? AND row_no = ? "
                               "AND status IN ('accepted', 'pin_viewed') AND urls_expire_at <= ?");
            q.bind(1, r.batch_id).bind(2, row_no).bind(3, r.now);
            if (!q.step()) {
                throw Error(ErrorCategory::Conflict, "row_changed",
                            "request row " + std::to_string(row_no) +
                                " was downloaded, locked or re-sent meanwhile; reload the "
                                "request's state and try again");
            }
            rows.push_back(read_row(q));
        }
        std::vector<ConflictingRow> claimed = conflicting_rows(c, rows, true, r.now);
        if (!claimed.empty()) return claimed;
        // The old URLs, and the unsent mails that would carry them.
        auto drop_old = [&](std::optional<int64_t> row_no) {
            Statement urls(c, "DELETE FROM issuance_urls WHERE batch_id = ? AND row_no IS ?");
            urls.bind(1, r.batch_id).bind(2, row_no).run();
            Statement mails(c,
                            "DELETE FROM notifications WHERE batch_id = ? AND row_no IS ? "
                            "AND type IN ('access_pin_issued', 'issuance_accepted') "
                            "AND sent_at IS NULL");
            mails.bind(1, r.batch_id).bind(2, row_no).run();
        };
        if (r.whole_batch) drop_old(std::nullopt);
        for (int64_t row_no : r.row_nos) {
            if (!r.whole_batch) drop_old(row_no);
            Statement u(c,
                        "UPDATE issuance_rows SET urls_expire_at = ?, status = 'accepted' "
                        "WHERE batch_id = ? AND row_no = ?");
            u.bind(1, r.expires_at).bind(2, r.batch_id).bind(3, row_no).run();
        }
        for (const auto& url : r.urls) insert_url(c, url);
        for (const auto& n : r.notifications) insert_notification(c, n);
        return claimed;
    });
}

std::vector<NotificationRecord> SqliteBatchStore::pending_notifications(
    const std::optional<std::string>& batch_id) {
    return db_.with([&](Connection& c) {
        Statement s(c,
                    std::string("SELECT ") + kNotificationColumns +
                        " FROM notifications WHERE sent_at IS NULL AND (? IS NULL OR batch_id = ?) "
                        "ORDER BY id");
        s.bind(1, batch_id).bind(2, batch_id);
        std::vector<NotificationRecord> out;
        while (s.step()) out.push_back(read_notification(s));
        return out;
    });
}

void SqliteBatchStore::mark_notification_sent(int64_t id, int64_t when) {
    db_.with([&](Connection& c) {
        Statement s(c, "UPDATE notifications SET sent_at = ? WHERE id = ?");
        s.bind(1, when).bind(2, id).run();
    });
}

}  // namespace inkan::store
