// The SQLite database of the appliance: one connection guarded by a mutex
// (SQLite serialises writers anyway), schema version + forward migrations.
#pragma once

#include <functional>
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

  private:
    void migrate();
    std::mutex mutex_;
    Connection conn_;
};

int64_t unix_now();

}  // namespace inkan::store
