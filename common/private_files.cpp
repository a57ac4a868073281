#include "common/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "common/error.h"

namespace inkan {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void unwritable(const fs::path& path) {
    throw Error(ErrorCategory::Unavailable, "file_unwritable",
                "cannot write " + path.string() + ": " + std::strerror(errno));
}

// open(O_CREAT|O_EXCL) with `mode`, fchmod to `mode` (the umask may have taken
// bits a public file needs), write everything, fsync. Returns false if it exists.
bool create_exclusive(const fs::path& path, std::string_view content, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        if (errno == EEXIST) return false;
        unwritable(path);
    }
    bool ok = ::fchmod(fd, mode) == 0;
    for (size_t done = 0; ok && done < content.size();) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        errno = saved;
        unwritable(path);
    }
    return true;
}

}  // namespace

void make_private_dirs(const fs::path& dir) {
    if (dir.empty()) return;
    fs::path built;
    for (const auto& part : dir) {
        built /= part;
        if (::mkdir(built.c_str(), 0700) != 0 && errno != EEXIST) unwritable(built);
    }
}

void write_file_with_mode(const fs::path& path, std::string_view content, mode_t mode) {
    if (path.has_parent_path()) make_private_dirs(path.parent_path());
    static thread_local std::mt19937_64 names{std::random_device{}()};
    for (int attempt = 0; attempt < 16; ++attempt) {
        fs::path temp = path;
        temp += ".tmp-" + std::to_string(names());
        if (!create_exclusive(temp, content, mode)) continue;
        if (::rename(temp.c_str(), path.c_str()) != 0) {
            int saved = errno;
            ::unlink(temp.c_str());
            errno = saved;
            unwritable(path);
        }
        return;
    }
    errno = EEXIST;
    unwritable(path);
}

void write_new_file(const fs::path& path, std::string_view content, mode_t mode) {
    if (path.has_parent_path()) make_private_dirs(path.parent_path());
    if (!create_exclusive(path, content, mode)) {
        throw Error(ErrorCategory::Conflict, "file_exists",
                    path.string() + " exists already; move it away first");
    }
}

void create_file_if_missing(const fs::path& path, mode_t mode) {
    if (path.has_parent_path()) make_private_dirs(path.parent_path());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        if (errno == EEXIST) return;
        unwritable(path);
    }
    ::close(fd);
}

}  // namespace inkan
