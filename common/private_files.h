// Files and folders made private from the start (issue 13): a file is opened
// with O_CREAT|O_EXCL and its final mode, never created open and chmod-ed
// later; a replaced file is written beside its target and renamed over it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace inkan {

// Creates every missing folder of `dir` with mode 0700 (existing ones are left
// as they are). Throws Error(Unavailable, "file_unwritable").
void make_private_dirs(const std::filesystem::path& dir);

// Writes `content` as `path` with `mode` (0600 for secrets, 0644 for what anyone
// may read), replacing it atomically if it exists. The parent folders are made
// 0700 when missing. Throws Error(Unavailable, "file_unwritable").
void write_file_with_mode(const std::filesystem::path& path, std::string_view content, mode_t mode);

// The same, but refuses (Error(Conflict, "file_exists")) when `path` exists:
// credentials handed over once are never overwritten.
void write_new_file(const std::filesystem::path& path, std::string_view content, mode_t mode);

// Creates an empty file with `mode` unless it exists (e.g. a database before
// SQLite opens it, so the database and its WAL get that mode).
void create_file_if_missing(const std::filesystem::path& path, mode_t mode);

}  // namespace inkan
