#include "store/sqlite_crl_store.h"

#include "common/error.h"

namespace inkan::store {

std::optional<CrlRecord> SqliteCrlStore::latest() {
    return db_.with([&](Connection& c) -> std::optional<CrlRecord> {
        Statement s(c,
                    "SELECT number, this_update, next_update, revoked_count, der FROM crls "
                    "ORDER BY number DESC LIMIT 1");
        if (!s.step()) return std::nullopt;
        return CrlRecord{s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.blob(4)};
    });
}

void SqliteCrlStore::insert(const CrlRecord& r) {
    db_.in_transaction([&](Connection& c) {
        Statement q(c, "SELECT COALESCE(MAX(number), 0) FROM crls");
        q.step();
        if (r.number <= q.int64(0)) {
            throw Error(ErrorCategory::Conflict, "crl_number_taken",
                        "CRL number " + std::to_string(r.number) + " is not above the latest (" +
                            std::to_string(q.int64(0)) + ")");
        }
        Statement s(c,
                    "INSERT INTO crls (number, this_update, next_update, revoked_count, der, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?)");
        s.bind(1, r.number)
            .bind(2, r.this_update)
            .bind(3, r.next_update)
            .bind(4, r.revoked_count)
            .bind(5, ByteView(r.der))
            .bind(6, unix_now())
            .run();
    });
}

int64_t SqliteCrlStore::revoked_count() {
    return db_.with([&](Connection& c) {
        Statement s(c, "SELECT COUNT(*) FROM certificates WHERE status = 'revoked'");
        s.step();
        return s.int64(0);
    });
}

}  // namespace inkan::store
