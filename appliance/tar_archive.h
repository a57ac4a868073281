// A gzip-compressed tar file through libarchive, with the SHA-256 of every
// member computed as it streams (the backup manifest's hashes). Owner types
// for the libarchive handles; errors are inkan::Error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct archive;

namespace inkan::appliance {

struct FileDigest {
    uint64_t size = 0;
    std::string sha256;  // lower-case hex
};

struct ArchiveCloser {
    void operator()(archive* a) const noexcept;
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

// Writes `<path>.partial` (mode 0600) and renames it to `path` at finish(),
// so a failed backup leaves no archive that looks whole.
class TarGzWriter {
  public:
    explicit TarGzWriter(std::filesystem::path path);
    ~TarGzWriter();
    TarGzWriter(const TarGzWriter&) = delete;
    TarGzWriter& operator=(const TarGzWriter&) = delete;

    FileDigest add_file(const std::string& name, const std::filesystem::path& source,
                        std::filesystem::perms mode);
    FileDigest add_bytes(const std::string& name, std::string_view data,
                         std::filesystem::perms mode);
    void finish();

  private:
    void write_header(const std::string& name, uint64_t size, std::filesystem::perms mode);
    std::filesystem::path path_;
    std::filesystem::path partial_;
    int fd_ = -1;
    ArchivePtr archive_;
    bool finished_ = false;
};

class TarGzReader {
  public:
    explicit TarGzReader(const std::filesystem::path& path);
    TarGzReader(const TarGzReader&) = delete;
    TarGzReader& operator=(const TarGzReader&) = delete;

    struct Entry {
        std::string name;
        bool regular_file = false;
        bool directory = false;
    };
    // The next member's header; nullopt at the end.
    std::optional<Entry> next();
    // The current member's bytes, in chunks, and their digest.
    FileDigest read(const std::function<void(std::string_view)>& sink);

  private:
    std::filesystem::path path_;
    ArchivePtr archive_;
};

}  // namespace inkan::appliance
