#include "store/sqlite_audit_store.h"

namespace inkan::store {
namespace {

AuditRecord read_record(const Statement& s) {
    return {s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)};
}

constexpr const char* kColumns = "seq, time, event, fields, prev_hash, hash";

}  // namespace

AuditRecord SqliteAuditStore::append(Connection& conn, const std::string& time,
                                     const std::string& event, const std::string& fields) {
    AuditRecord r;
    r.time = time;
    r.event = event;
    r.fields = fields;
    r.seq = 1;
    r.prev_hash = kAuditGenesisHash;
    {
        Statement last(conn, "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1");
        if (last.step()) {
            r.seq = last.int64(0) + 1;
            r.prev_hash = last.text(1);
        }
    }
    r.hash = audit_record_hash(r);
    Statement insert(conn,
                     "INSERT INTO audit_records (seq, time, event, fields, prev_hash, hash) "
                     "VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, r.seq)
        .bind(2, r.time)
        .bind(3, r.event)
        .bind(4, r.fields)
        .bind(5, r.prev_hash)
        .bind(6, r.hash)
        .run();
    return r;
}

AuditRecord SqliteAuditStore::append(const std::string& time, const std::string& event,
                                     const std::string& fields) {
    return db_.in_transaction([&](Connection& c) { return append(c, time, event, fields); });
}

std::optional<AuditRecord> SqliteAuditStore::head() {
    return db_.with([](Connection& c) -> std::optional<AuditRecord> {
        Statement s(
            c, std::string("SELECT ") + kColumns + " FROM audit_records ORDER BY seq DESC LIMIT 1");
        if (!s.step()) return std::nullopt;
        return read_record(s);
    });
}

std::optional<AuditRecord> SqliteAuditStore::latest(const std::string& event) {
    return db_.with([&](Connection& c) -> std::optional<AuditRecord> {
        Statement s(c, std::string("SELECT ") + kColumns +
                           " FROM audit_records WHERE event = ? ORDER BY seq DESC LIMIT 1");
        s.bind(1, event);
        if (!s.step()) return std::nullopt;
        return read_record(s);
    });
}

std::optional<AuditCheckpoint> SqliteAuditStore::last_checkpoint() {
    return db_.with([](Connection& c) -> std::optional<AuditCheckpoint> {
        Statement s(c,
                    "SELECT seq, head_hash, time, signature FROM audit_checkpoints ORDER BY seq "
                    "DESC LIMIT 1");
        if (!s.step()) return std::nullopt;
        return AuditCheckpoint{s.int64(0), s.text(1), s.text(2), s.blob(3)};
    });
}

void SqliteAuditStore::add_checkpoint(const AuditCheckpoint& cp) {
    db_.in_transaction([&](Connection& c) {
        Statement s(c,
                    "INSERT OR IGNORE INTO audit_checkpoints (seq, head_hash, time, signature) "
                    "VALUES (?, ?, ?, ?)");
        s.bind(1, cp.seq).bind(2, cp.head_hash).bind(3, cp.time).bind(4, ByteView(cp.signature));
        s.run();
    });
}

void SqliteAuditStore::for_each_record(const std::function<void(const AuditRecord&)>& visit) {
    db_.with([&](Connection& c) {
        Statement s(c, std::string("SELECT ") + kColumns + " FROM audit_records ORDER BY seq");
        while (s.step()) visit(read_record(s));
    });
}

std::vector<AuditCheckpoint> SqliteAuditStore::checkpoints() {
    return db_.with([](Connection& c) {
        std::vector<AuditCheckpoint> out;
        Statement s(c,
                    "SELECT seq, head_hash, time, signature FROM audit_checkpoints ORDER BY seq");
        while (s.step()) out.push_back({s.int64(0), s.text(1), s.text(2), s.blob(3)});
        return out;
    });
}

}  // namespace inkan::store
