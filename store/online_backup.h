// A consistent copy of the live database while `inkan serve` writes to it:
// SQLite's online backup API (sqlite3_backup_*) reads the pages under a read
// transaction, so the copy is one committed state, WAL included.
#pragma once

#include <filesystem>

namespace inkan::store {

struct DatabaseCopy {
    int schema_version = 0;  // PRAGMA user_version of the copy
};

// Copies `live` into `copy` (a new file; rollback journal, no -wal beside it).
// Throws Error(NotFound, "state_missing") when `live` does not exist and
// Error(Unavailable, "database_backup_failed") when SQLite refuses.
DatabaseCopy copy_database_online(const std::filesystem::path& live,
                                  const std::filesystem::path& copy);

}  // namespace inkan::store
