#include "store/sqlite_certificate_store.h"

#include <algorithm>
#include <functional>
#include <map>

#include "common/error.h"
#include "policy/findings.h"
#include "store/subject_claims.h"

namespace inkan::store {
namespace {

constexpr const char* kColumns =
    "serial_hex, serial_dec, subject, issuer, not_before, not_after, status, revoked_at, "
    "revocation_reason, revocation_comment, kind, profile_id, institution, requested_by, der, "
    "created_at, batch_id, row_no, delivery";

CertificateKind kind_from(const std::string& s) {
    if (s == "operator") return CertificateKind::Operator;
    if (s == "tls_server") return CertificateKind::TlsServer;
    if (s == "mail_signer") return CertificateKind::MailSigner;
    return CertificateKind::Subscriber;
}

CertificateRecord read_record(const Statement& s) {
    CertificateRecord r;
    r.serial_hex = s.text(0);
    r.serial_dec = s.text(1);
    r.subject = s.text(2);
    r.issuer = s.text(3);
    r.not_before = s.int64(4);
    r.not_after = s.int64(5);
    r.status = s.text(6) == "revoked" ? CertificateStatus::Revoked : CertificateStatus::Valid;
    r.revoked_at = s.opt_int64(7);
    r.revocation_reason = s.opt_int64(8);
    r.revocation_comment = s.opt_text(9);
    r.kind = kind_from(s.text(10));
    r.profile_id = s.opt_int64(11);
    r.institution = s.opt_text(12);
    r.requested_by = s.text(13);
    r.der = s.blob(14);
    r.created_at = s.int64(15);
    if (auto batch = s.opt_text(16)) r.row = RowRef{*batch, s.opt_int64(17).value_or(0)};
    r.delivery = s.text(18) == "pending" ? Delivery::Pending : Delivery::Delivered;
    return r;
}

// kColumns of the certificates table as "c", for queries that join.
std::string columns_of_c() {
    std::string out = "c.";
    for (const char* p = kColumns; *p; ++p) {
        out += *p;
        if (*p == ' ') out += "c.";
    }
    return out;
}

// The subscriber mail of a certificate's request row: user mail, else admin mail.
constexpr const char* kRowMail =
    "CASE WHEN r.user_mail <> '' THEN r.user_mail ELSE r.admin_mail END";

// The WHERE clause of search_subscribers and a binder for its parameters, in order.
struct SearchWhere {
    std::string sql;
    std::function<int(Statement&)> bind;  // returns the next free parameter index
};

SearchWhere search_where(const CertificateQuery& q) {
    std::string sql =
        " FROM certificates c LEFT JOIN issuance_rows r"
        " ON r.batch_id = c.batch_id AND r.row_no = c.row_no"
        " WHERE c.kind = 'subscriber'";
    // An exact subject or serial is the selective index; "+" keeps SQLite from
    // walking the institution's index instead (measured with EXPLAIN QUERY PLAN).
    const bool exact = q.subject || q.serial_hex;
    if (q.institution) sql += exact ? " AND +c.institution = ?" : " AND c.institution = ?";
    if (q.subject) sql += " AND c.subject = ?";
    if (q.subject_contains) sql += " AND instr(c.subject, ?) > 0";
    if (q.serial_hex) sql += " AND c.serial_hex = ?";
    if (q.mail) sql += std::string(" AND lower(") + kRowMail + ") = lower(?)";
    if (q.validity) {
        switch (*q.validity) {
            case Validity::Valid:
                sql += " AND c.status = 'valid' AND c.not_after > ?";
                break;
            case Validity::Expired:
                sql += " AND c.status = 'valid' AND c.not_after <= ?";
                break;
            case Validity::Revoked:
                sql += " AND c.status = 'revoked'";
                break;
        }
    }
    auto bind = [q](Statement& s) {
        int i = 1;
        if (q.institution) s.bind(i++, *q.institution);
        if (q.subject) s.bind(i++, *q.subject);
        if (q.subject_contains) s.bind(i++, *q.subject_contains);
        if (q.serial_hex) s.bind(i++, *q.serial_hex);
        if (q.mail) s.bind(i++, *q.mail);
        if (q.validity && *q.validity != Validity::Revoked) s.bind(i++, q.now);
        return i;
    };
    return {sql, bind};
}

// Statistics: counts grouped by `key` (and revocations by `revoked_key`), of
// subscriber certificates, optionally of one institution.
constexpr int64_t kExpiringWithin = 30 * 24 * 3600;

std::map<std::string, CertificateCounts> grouped_counts(Connection& c, const std::string& key,
                                                        const std::string& revoked_key,
                                                        const std::optional<std::string>& inst,
                                                        int64_t now) {
    const std::string from =
        " FROM certificates c LEFT JOIN issuance_rows r"
        " ON r.batch_id = c.batch_id AND r.row_no = c.row_no"
        " WHERE c.kind = 'subscriber'" +
        std::string(inst ? " AND c.institution = ?" : "");
    std::map<std::string, CertificateCounts> out;
    {
        Statement s(c, "SELECT " + key +
                           ", count(*), count(r.renews_serial_hex),"
                           " sum(c.status = 'valid' AND c.not_after > ?),"
                           " sum(c.status = 'valid' AND c.not_after > ? AND c.not_after <= ?)" +
                           from + " GROUP BY 1");
        s.bind(1, now).bind(2, now).bind(3, now + kExpiringWithin);
        if (inst) s.bind(4, *inst);
        while (s.step()) {
            auto& n = out[s.text(0)];
            n.issued = s.int64(1);
            n.renewed = s.int64(2);
            n.valid = s.int64(3);
            n.expiring = s.int64(4);
        }
    }
    Statement s(
        c, "SELECT " + revoked_key + ", count(*)" + from + " AND c.status = 'revoked' GROUP BY 1");
    if (inst) s.bind(1, *inst);
    while (s.step()) out[s.text(0)].revoked = s.int64(1);
    return out;
}

std::vector<std::pair<int64_t, CertificateCounts>> by_number(
    std::map<std::string, CertificateCounts> counts) {
    std::vector<std::pair<int64_t, CertificateCounts>> out;
    for (auto& [k, n] : counts) out.emplace_back(std::stoll(k), n);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

}  // namespace

const char* to_string(CertificateKind kind) {
    switch (kind) {
        case CertificateKind::Subscriber:
            return "subscriber";
        case CertificateKind::Operator:
            return "operator";
        case CertificateKind::TlsServer:
            return "tls_server";
        case CertificateKind::MailSigner:
            return "mail_signer";
    }
    return "subscriber";
}

const char* to_string(CertificateStatus status) {
    return status == CertificateStatus::Revoked ? "revoked" : "valid";
}

const char* to_string(Delivery delivery) {
    return delivery == Delivery::Pending ? "pending" : "delivered";
}

void SqliteCertificateStore::reserve_serial(const std::string& serial_hex,
                                            const std::optional<SubjectClaim>& claim) {
    db_.in_transaction([&](Connection& c) {
        const int64_t now = unix_now();
        {
            Statement q(c, "SELECT 1 FROM serials WHERE serial_hex = ?");
            q.bind(1, serial_hex);
            if (q.step()) {
                throw Error(ErrorCategory::Conflict, "serial_collision",
                            "serial " + serial_hex + " was reserved before");
            }
        }
        if (claim && store::subject_claimed(c, *claim, now)) {
            auto f = policy::make_finding("dn_duplicate", 0, 1,
                                          "a valid certificate or a pending request has this DN");
            throw Error(ErrorCategory::Conflict, f.code, f.message_en + " / " + f.message_ja);
        }
        Statement s(c,
                    "INSERT INTO serials (serial_hex, reserved_at, subject, batch_id, row_no) "
                    "VALUES (?, ?, ?, ?, ?)");
        s.bind(1, serial_hex).bind(2, now);
        s.bind(3, claim ? std::optional<std::string>(claim->subject) : std::nullopt);
        if (claim && claim->row) {
            s.bind(4, claim->row->batch_id).bind(5, claim->row->row_no);
        } else {
            s.bind_null(4).bind_null(5);
        }
        s.run();
    });
}

void SqliteCertificateStore::abandon_serial(const std::string& serial_hex) {
    db_.with([&](Connection& c) {
        Statement s(
            c, "UPDATE serials SET settled_at = ? WHERE serial_hex = ? AND settled_at IS NULL");
        s.bind(1, unix_now()).bind(2, serial_hex).run();
    });
}

size_t SqliteCertificateStore::settle_open_reservations() {
    return db_.with([&](Connection& c) {
        Statement s(
            c, "UPDATE serials SET settled_at = ? WHERE settled_at IS NULL RETURNING serial_hex");
        s.bind(1, unix_now());
        size_t n = 0;
        while (s.step()) ++n;
        return n;
    });
}

bool SqliteCertificateStore::subject_claimed(const SubjectClaim& claim, int64_t now) {
    return db_.with([&](Connection& c) { return store::subject_claimed(c, claim, now); });
}

bool SqliteCertificateStore::renewal_pending(const std::string& serial_hex, int64_t now) {
    return db_.with([&](Connection& c) { return store::renewal_pending(c, serial_hex, now); });
}

std::vector<CertificateRecord> SqliteCertificateStore::undelivered() {
    return db_.with([&](Connection& c) {
        Statement s(c, std::string("SELECT ") + kColumns +
                           " FROM certificates WHERE delivery = 'pending' AND status = 'valid' "
                           "AND serial_hex NOT IN (SELECT serial_hex FROM bulk_job_files) "
                           "ORDER BY created_at, serial_hex");
        std::vector<CertificateRecord> out;
        while (s.step()) out.push_back(read_record(s));
        return out;
    });
}

void SqliteCertificateStore::insert(const CertificateRecord& r) {
    db_.in_transaction([&](Connection& c) {
        Statement settle(c, "UPDATE serials SET settled_at = ? WHERE serial_hex = ?");
        settle.bind(1, unix_now()).bind(2, r.serial_hex).run();
        Statement s(c, std::string("INSERT INTO certificates (") + kColumns +
                           ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        s.bind(1, r.serial_hex)
            .bind(2, r.serial_dec)
            .bind(3, r.subject)
            .bind(4, r.issuer)
            .bind(5, r.not_before)
            .bind(6, r.not_after)
            .bind(7, std::string(to_string(r.status)))
            .bind(8, r.revoked_at)
            .bind(9, r.revocation_reason)
            .bind(10, r.revocation_comment)
            .bind(11, std::string(to_string(r.kind)))
            .bind(12, r.profile_id)
            .bind(13, r.institution)
            .bind(14, r.requested_by)
            .bind(15, ByteView(r.der))
            .bind(16, r.created_at ? r.created_at : unix_now());
        if (r.row) {
            s.bind(17, r.row->batch_id).bind(18, r.row->row_no);
        } else {
            s.bind_null(17).bind_null(18);
        }
        s.bind(19, std::string(to_string(r.delivery))).run();
    });
}

std::optional<CertificateRecord> SqliteCertificateStore::find_where(const char* column,
                                                                    const std::string& value) {
    return db_.with([&](Connection& c) -> std::optional<CertificateRecord> {
        Statement s(
            c, std::string("SELECT ") + kColumns + " FROM certificates WHERE " + column + " = ?");
        s.bind(1, value);
        if (!s.step()) return std::nullopt;
        return read_record(s);
    });
}

std::optional<CertificateRecord> SqliteCertificateStore::find(const std::string& serial_hex) {
    return find_where("serial_hex", serial_hex);
}

std::optional<CertificateRecord> SqliteCertificateStore::find_by_decimal(
    const std::string& serial_dec) {
    return find_where("serial_dec", serial_dec);
}

std::vector<CertificateRecord> SqliteCertificateStore::list(const CertificateFilter& f) {
    return db_.with([&](Connection& c) {
        std::string sql = std::string("SELECT ") + kColumns + " FROM certificates WHERE 1=1";
        if (f.institution) sql += " AND institution = ?";
        if (f.kind) sql += " AND kind = ?";
        if (f.status) sql += " AND status = ?";
        sql += " ORDER BY created_at, serial_hex LIMIT ? OFFSET ?";
        Statement s(c, sql);
        int i = 1;
        if (f.institution) s.bind(i++, *f.institution);
        if (f.kind) s.bind(i++, std::string(to_string(*f.kind)));
        if (f.status) s.bind(i++, std::string(to_string(*f.status)));
        s.bind(i, static_cast<int64_t>(f.limit));
        s.bind(i + 1, static_cast<int64_t>(f.offset));
        std::vector<CertificateRecord> out;
        while (s.step()) out.push_back(read_record(s));
        return out;
    });
}

CertificatePage SqliteCertificateStore::search_subscribers(const CertificateQuery& q) {
    auto where = search_where(q);
    return db_.with([&](Connection& c) {
        CertificatePage page;
        {
            Statement count(c, "SELECT count(*)" + where.sql);
            where.bind(count);
            count.step();
            page.total = static_cast<size_t>(count.int64(0));
        }
        Statement s(c, "SELECT " + columns_of_c() + ", " + kRowMail + where.sql +
                           " ORDER BY c.created_at DESC, c.rowid DESC LIMIT ? OFFSET ?");
        int i = where.bind(s);
        s.bind(i, static_cast<int64_t>(q.limit)).bind(i + 1, static_cast<int64_t>(q.offset));
        while (s.step()) page.matches.push_back({read_record(s), s.opt_text(19)});
        return page;
    });
}

std::vector<CertificateExportRow> SqliteCertificateStore::export_page(const CertificateQuery& q,
                                                                      int64_t after_rowid,
                                                                      size_t limit) {
    auto where = search_where(q);
    return db_.with([&](Connection& c) {
        Statement s(c, "SELECT " + columns_of_c() +
                           ", (SELECT b.action FROM issuance_batches b WHERE b.id = c.batch_id),"
                           " r.download_type, r.admin_name, r.admin_mail, r.user_name,"
                           " r.user_mail, r.downloaded_at,"
                           " (SELECT b.expires_at FROM issuance_batches b WHERE b.id = c.batch_id),"
                           " (SELECT o.serial_dec FROM certificates o"
                           " WHERE o.serial_hex = r.renews_serial_hex), c.rowid" +
                           where.sql + " AND c.rowid > ? ORDER BY c.rowid LIMIT ?");
        int i = where.bind(s);
        s.bind(i, after_rowid).bind(i + 1, static_cast<int64_t>(limit));
        std::vector<CertificateExportRow> out;
        while (s.step()) {
            CertificateExportRow row;
            row.record = read_record(s);
            row.action = s.opt_text(19);
            row.download_type = s.opt_int64(20);
            row.admin_name = s.opt_text(21).value_or("");
            row.admin_mail = s.opt_text(22).value_or("");
            row.user_name = s.opt_text(23).value_or("");
            row.user_mail = s.opt_text(24).value_or("");
            row.downloaded_at = s.opt_int64(25);
            row.url_expires_at = s.opt_int64(26);
            row.renews_serial_dec = s.opt_text(27);
            row.rowid = s.int64(28);
            out.push_back(std::move(row));
        }
        return out;
    });
}

CertificateStatistics SqliteCertificateStore::statistics(
    const std::optional<std::string>& institution, int64_t now) {
    return db_.with([&](Connection& c) {
        CertificateStatistics st;
        auto total = grouped_counts(c, "''", "''", institution, now);
        if (!total.empty()) st.total = total.begin()->second;
        for (auto& [month, n] :
             grouped_counts(c, "strftime('%Y-%m', c.created_at, 'unixepoch')",
                            "strftime('%Y-%m', c.revoked_at, 'unixepoch')", institution, now)) {
            st.by_month.emplace_back(month, n);
        }
        const std::string profile = "coalesce(c.profile_id, 0)";
        st.by_profile = by_number(grouped_counts(c, profile, profile, institution, now));
        const std::string type = "coalesce(r.download_type, 0)";
        st.by_download_type = by_number(grouped_counts(c, type, type, institution, now));
        return st;
    });
}

void SqliteCertificateStore::revoke(const std::string& serial_hex, int64_t reason,
                                    const std::optional<std::string>& comment, int64_t when) {
    db_.in_transaction([&](Connection& c) {
        Statement q(c, "SELECT status FROM certificates WHERE serial_hex = ?");
        q.bind(1, serial_hex);
        if (!q.step()) {
            throw Error(ErrorCategory::NotFound, "certificate_not_found",
                        "no certificate with serial " + serial_hex);
        }
        if (q.text(0) == "revoked") {
            throw Error(ErrorCategory::Conflict, "certificate_already_revoked",
                        "certificate " + serial_hex + " is already revoked");
        }
        Statement u(c,
                    "UPDATE certificates SET status = 'revoked', revoked_at = ?, "
                    "revocation_reason = ?, revocation_comment = ? WHERE serial_hex = ?");
        u.bind(1, when).bind(2, reason).bind(3, comment).bind(4, serial_hex).run();
    });
}

std::vector<RevokedEntry> SqliteCertificateStore::revoked() {
    return db_.with([&](Connection& c) {
        Statement s(c,
                    "SELECT serial_hex, revoked_at, revocation_reason FROM certificates WHERE "
                    "status = 'revoked' ORDER BY revoked_at");
        std::vector<RevokedEntry> out;
        while (s.step()) out.push_back({s.text(0), s.int64(1), s.int64(2)});
        return out;
    });
}

}  // namespace inkan::store
