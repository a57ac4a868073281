// The SQLite database of the appliance: one connection guarded by a mutex
// (SQLite serialises writers anyway), schema version + forward migrations.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite.h"

namespace inkan::store {

class Database {
  public:
    explicit Database(const std::string& path);  // opens and migrates to the latest schema

    int schema_version();
    static int latest_schema_version();

    // Runs fn with exclusive use of the connection.
    template <typename Fn>
    auto with(Fn&& fn) {
        std::lock_guard lock(mutex_);
        return fn(conn_);
    }
    // Runs fn inside BEGIN IMMEDIATE ... COMMIT (rolled back if fn throws).
    template <typename Fn>
    auto in_transaction(Fn&& fn) {
        std::lock_guard lock(mutex_);
        Transaction tx(conn_);
        if constexpr (std::is_void_v<decltype(fn(conn_))>) {
            fn(conn_);
            tx.commit();
        } else {
            auto result = fn(conn_);
            tx.commit();
            return result;
        }
    }

    // A long-running process (inkan serve) calls this once to take the WAL
    // checkpoints off the request path: SQLite then no longer checkpoints
    // (and fdatasyncs) inside a commit while the connection is held, and the
    // caller runs checkpoint() from a background task instead. One-shot
    // processes leave it alone; SQLite checkpoints when the last connection
    // closes in any case.
    void take_over_checkpoints();
    // A PASSIVE checkpoint on a connection of its own: it copies what it can
    // without waiting for or blocking readers and writers of the shared one.
    // Returns the WAL frames still not copied.
    int checkpoint();

  private:
    void migrate();
    std::string path_;
    std::mutex mutex_;
    Connection conn_;
    std::mutex checkpoint_mutex_;
    std::unique_ptr<Connection> checkpoint_conn_;
};

int64_t unix_now();

}  // namespace inkan::store
