#include "store/online_backup.h"

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/error.h"

namespace inkan::store {
namespace {

struct CloseDatabase {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, CloseDatabase>;

[[noreturn]] void backup_failed(const std::string& what) {
    throw Error(ErrorCategory::Unavailable, "database_backup_failed",
                what + "; check free space and permissions, then run the backup again");
}

DatabaseHandle open(const std::filesystem::path& path, int flags) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    DatabaseHandle handle(db);
    if (rc != SQLITE_OK) {
        backup_failed("cannot open " + path.string() + ": " +
                      (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(db, 10000);
    return handle;
}

// sqlite3_backup_finish reports the outcome of the whole copy, so the owner
// type calls it once, explicitly; the destructor only cleans up after a throw.
class BackupRun {
  public:
    BackupRun(sqlite3* destination, sqlite3* source)
        : backup_(sqlite3_backup_init(destination, "main", source, "main")) {
        if (!backup_) backup_failed(std::string("cannot start: ") + sqlite3_errmsg(destination));
    }
    ~BackupRun() {
        if (backup_) sqlite3_backup_finish(backup_);
    }
    BackupRun(const BackupRun&) = delete;
    BackupRun& operator=(const BackupRun&) = delete;

    // All pages, retrying while a writer holds the lock (a running serve).
    int copy_all() {
        using namespace std::chrono_literals;
        for (int busy_rounds = 0;;) {
            int rc = sqlite3_backup_step(backup_, -1);
            if (rc == SQLITE_DONE) break;
            if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
                if (++busy_rounds > 600) return rc;  // one minute
                std::this_thread::sleep_for(100ms);
                continue;
            }
            if (rc != SQLITE_OK) return rc;
        }
        int rc = sqlite3_backup_finish(backup_);
        backup_ = nullptr;
        return rc;
    }

  private:
    sqlite3_backup* backup_;
};

}  // namespace

DatabaseCopy copy_database_online(const std::filesystem::path& live,
                                  const std::filesystem::path& copy) {
    if (!std::filesystem::exists(live)) {
        throw Error(
            ErrorCategory::NotFound, "state_missing",
            "no database at " + live.string() + "; run `inkan init` first or pass --state-dir");
    }
    auto source = open(live, SQLITE_OPEN_READONLY);
    auto destination = open(copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    {
        BackupRun run(destination.get(), source.get());
        if (int rc = run.copy_all(); rc != SQLITE_OK) {
            backup_failed("copying " + live.string() + " failed: " + sqlite3_errstr(rc));
        }
    }
    DatabaseCopy result;
    {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(destination.get(), "PRAGMA user_version", -1, &raw, nullptr) !=
            SQLITE_OK) {
            backup_failed("cannot read the copy's schema version");
        }
        std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
        if (sqlite3_step(raw) == SQLITE_ROW) result.schema_version = sqlite3_column_int(raw, 0);
    }
    // The copy inherits the live file's WAL flag; make it one self-contained file.
    if (sqlite3_exec(destination.get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) !=
        SQLITE_OK) {
        backup_failed("cannot close the copy's journal");
    }
    return result;
}

}  // namespace inkan::store
