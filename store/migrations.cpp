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
};

}  // namespace

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int Database::latest_schema_version() {
    return static_cast<int>(std::size(kMigrations));
}

Database::Database(const std::string& path) : conn_(path) { migrate(); }

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
