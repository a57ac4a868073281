#include "store/sqlite.h"

#include "common/error.h"
#include "common/private_files.h"

namespace inkan::store {

void throw_sqlite(sqlite3* db, int rc, std::string_view what) {
    std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int primary = rc & 0xff;
    if (primary == SQLITE_CONSTRAINT) {
        throw Error(ErrorCategory::Conflict, "store_conflict", std::string(what) + ": " + detail);
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN ||
        primary == SQLITE_READONLY || primary == SQLITE_FULL || primary == SQLITE_IOERR) {
        throw Error(ErrorCategory::Unavailable, "store_unavailable",
                    std::string(what) + ": " + detail);
    }
    throw Error(ErrorCategory::Internal, "store_error", std::string(what) + ": " + detail);
}

Connection::Connection(const std::string& path) {
    // Created 0600 before SQLite opens it: its WAL and shared-memory files take
    // the database file's mode (names and mail addresses are in there).
    if (!path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0) {
        try {
            create_file_if_missing(path, 0600);
        } catch (const Error& e) {
            throw Error(ErrorCategory::Unavailable, "store_unavailable",
                        "cannot create database " + path + ": " + e.what());
        }
    }
    int rc = sqlite3_open_v2(path.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(ErrorCategory::Unavailable, "store_unavailable",
                    "cannot open database " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA foreign_keys=ON");
    exec("PRAGMA synchronous=NORMAL");
}

Connection::~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

namespace {
// Distinct SQL texts kept per connection (the stores use a few dozen; search
// queries built from filters vary).
constexpr size_t kStatementCacheLimit = 256;
}  // namespace

sqlite3_stmt* Connection::take_statement(const std::string& sql) {
    {
        std::lock_guard lock(cache_mutex_);
        auto it = cache_.find(sql);
        if (it != cache_.end()) {
            sqlite3_stmt* stmt = it->second;
            cache_.erase(it);
            return stmt;
        }
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        throw_sqlite(db_, rc, "prepare");
    }
    return stmt;
}

void Connection::give_back(const std::string& sql, sqlite3_stmt* stmt) noexcept {
    sqlite3_reset(stmt);  // its error (if any) was reported by step()
    sqlite3_clear_bindings(stmt);
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kStatementCacheLimit) {
        sqlite3_finalize(stmt);
        return;
    }
    try {
        cache_.emplace(sql, stmt);
    } catch (...) {
        sqlite3_finalize(stmt);
    }
}

size_t Connection::cached_statements() const {
    std::lock_guard lock(cache_mutex_);
    return cache_.size();
}

void Connection::exec(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(err);
        throw_sqlite(db_, rc, "exec");
    }
}

Statement::Statement(Connection& conn, std::string_view sql)
    : conn_(conn), sql_(sql), stmt_(conn.take_statement(sql_)) {}

Statement::~Statement() { conn_.give_back(sql_, stmt_); }

Statement& Statement::bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}
Statement& Statement::bind(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind(int index, ByteView value) {
    sqlite3_bind_blob(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
}
Statement& Statement::bind(int index, const std::optional<int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
}
Statement& Statement::bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_sqlite(conn_.handle(), rc, "step");
}

std::string Statement::text(int col) const {
    auto p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
}

Bytes Statement::blob(int col) const {
    auto p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
    return p ? Bytes(p, p + sqlite3_column_bytes(stmt_, col)) : Bytes();
}

std::optional<int64_t> Statement::opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
}

std::optional<std::string> Statement::opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
}

// BEGIN, COMMIT and ROLLBACK are cached statements too: parsing them again
// for every transaction cost about 1.5% of a REST issuance.
Transaction::Transaction(Connection& conn) : conn_(conn) {
    Statement(conn_, "BEGIN IMMEDIATE").run();
}

Transaction::~Transaction() {
    if (!done_) {
        try {
            Statement(conn_, "ROLLBACK").run();
        } catch (...) {
        }
    }
}

void Transaction::commit() {
    Statement(conn_, "COMMIT").run();
    done_ = true;
}

}  // namespace inkan::store
