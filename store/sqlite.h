// Thin RAII owners over the SQLite C API, used only inside store/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/bytes.h"

namespace inkan::store {

// A connection keeps the statements it prepared (keyed by SQL text) for reuse:
// a Statement takes one out of the cache, or prepares it, and gives it back
// reset when it is destroyed.
class Connection {
  public:
    explicit Connection(const std::string& path);  // WAL, foreign keys on, busy timeout
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sqlite3* handle() const { return db_; }
    void exec(const char* sql);  // statements without parameters or results
    int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    int changes() const { return sqlite3_changes(db_); }

    // The statement cache (for Statement): a prepared statement for `sql`,
    // taken out of the cache or newly prepared; back into it, reset.
    sqlite3_stmt* take_statement(const std::string& sql);
    void give_back(const std::string& sql, sqlite3_stmt* stmt) noexcept;
    size_t cached_statements() const;

  private:
    sqlite3* db_ = nullptr;
    mutable std::mutex cache_mutex_;
    std::unordered_multimap<std::string, sqlite3_stmt*> cache_;
};

class Statement {
  public:
    Statement(Connection& conn, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, ByteView value);
    Statement& bind_null(int index);
    Statement& bind(int index, const std::optional<int64_t>& value);
    Statement& bind(int index, const std::optional<std::string>& value);

    // Steps once; true when a row is available. A UNIQUE/PRIMARY KEY
    // violation throws Error(Conflict, "store_conflict").
    bool step();
    void run() { step(); }

    int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
    std::string text(int col) const;
    Bytes blob(int col) const;
    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::optional<int64_t> opt_int64(int col) const;
    std::optional<std::string> opt_text(int col) const;

  private:
    Connection& conn_;
    std::string sql_;
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran.
class Transaction {
  public:
    explicit Transaction(Connection& conn);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Connection& conn_;
    bool done_ = false;
};

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what);

}  // namespace inkan::store
