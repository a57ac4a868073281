#include "appliance/tar_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <ctime>
#include <fstream>

#include "common/bytes.h"
#include "common/error.h"
#include "common/openssl_ptr.h"

namespace inkan::appliance {
namespace fs = std::filesystem;
namespace {

constexpr size_t kChunk = 64 * 1024;

struct EntryFree {
    void operator()(archive_entry* e) const noexcept { archive_entry_free(e); }
};

std::string error_text(archive* a) {
    const char* text = a ? archive_error_string(a) : nullptr;
    return text ? text : "unknown error";
}

[[noreturn]] void archive_failed(const std::string& what, archive* a) {
    std::string detail = error_text(a);
    throw Error(ErrorCategory::Unavailable, "backup_archive_failed",
                what + ": " + detail + "; check the path, free space and permissions");
}

class Sha256 {
  public:
    Sha256() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
            throw Error(ErrorCategory::Internal, "digest_failed", "SHA-256 unavailable");
        }
    }
    void update(std::string_view data) {
        EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
        size_ += data.size();
    }
    FileDigest finish() {
        Bytes out(EVP_MAX_MD_SIZE);
        unsigned int length = 0;
        EVP_DigestFinal_ex(ctx_.get(), out.data(), &length);
        out.resize(length);
        return {size_, hex_encode(out)};
    }

  private:
    EvpMdCtxPtr ctx_;
    uint64_t size_ = 0;
};

}  // namespace

void ArchiveCloser::operator()(archive* a) const noexcept {
    // A reader and a writer are freed by different calls; archive_free
    // dispatches on the handle's kind (libarchive >= 3.0).
    archive_free(a);
}

TarGzWriter::TarGzWriter(fs::path path) : path_(std::move(path)) {
    partial_ = path_;
    partial_ += ".partial";
    fd_ = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        throw Error(ErrorCategory::Unavailable, "backup_archive_failed",
                    "cannot create " + partial_.string() +
                        "; check that the folder exists and is writable");
    }
    archive_.reset(archive_write_new());
    if (!archive_ || archive_write_add_filter_gzip(archive_.get()) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(archive_.get()) != ARCHIVE_OK ||
        archive_write_open_fd(archive_.get(), fd_) != ARCHIVE_OK) {
        archive_failed("cannot start " + partial_.string(), archive_.get());
    }
}

TarGzWriter::~TarGzWriter() {
    archive_.reset();
    if (fd_ >= 0) ::close(fd_);
    if (!finished_) {
        std::error_code ignored;
        fs::remove(partial_, ignored);
    }
}

void TarGzWriter::write_header(const std::string& name, uint64_t size, fs::perms mode) {
    std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), static_cast<mode_t>(mode));
    archive_entry_set_mtime(entry.get(), std::time(nullptr), 0);
    if (archive_write_header(archive_.get(), entry.get()) != ARCHIVE_OK) {
        archive_failed("cannot add " + name, archive_.get());
    }
}

FileDigest TarGzWriter::add_file(const std::string& name, const fs::path& source, fs::perms mode) {
    std::ifstream in(source, std::ios::binary);
    if (!in) {
        throw Error(ErrorCategory::NotFound, "file_unreadable",
                    "cannot read " + source.string() + "; check its permissions");
    }
    // The size at the header; a file that grows meanwhile (audit.log) is cut there.
    uint64_t size = fs::file_size(source);
    write_header(name, size, mode);
    Sha256 sha;
    std::array<char, kChunk> buffer;
    uint64_t left = size;
    while (left > 0 && in) {
        in.read(buffer.data(), static_cast<std::streamsize>(std::min<uint64_t>(left, kChunk)));
        auto got = static_cast<size_t>(in.gcount());
        if (got == 0) break;
        if (archive_write_data(archive_.get(), buffer.data(), got) < 0) {
            archive_failed("cannot write " + name, archive_.get());
        }
        sha.update({buffer.data(), got});
        left -= got;
    }
    if (left != 0) {
        throw Error(ErrorCategory::Unavailable, "backup_archive_failed",
                    source.string() + " shrank while it was read; run the backup again");
    }
    return sha.finish();
}

FileDigest TarGzWriter::add_bytes(const std::string& name, std::string_view data, fs::perms mode) {
    write_header(name, data.size(), mode);
    if (!data.empty() && archive_write_data(archive_.get(), data.data(), data.size()) < 0) {
        archive_failed("cannot write " + name, archive_.get());
    }
    Sha256 sha;
    sha.update(data);
    return sha.finish();
}

void TarGzWriter::finish() {
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) {
        archive_failed("cannot finish " + partial_.string(), archive_.get());
    }
    archive_.reset();
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
        fd_ = -1;
        throw Error(ErrorCategory::Unavailable, "backup_archive_failed",
                    "cannot flush " + partial_.string() + "; check free space");
    }
    fd_ = -1;
    fs::rename(partial_, path_);
    finished_ = true;
}

TarGzReader::TarGzReader(const fs::path& path) : path_(path), archive_(archive_read_new()) {
    if (!archive_ || archive_read_support_filter_gzip(archive_.get()) != ARCHIVE_OK ||
        archive_read_support_format_tar(archive_.get()) != ARCHIVE_OK) {
        archive_failed("cannot read archives", archive_.get());
    }
    if (archive_read_open_filename(archive_.get(), path.c_str(), kChunk) != ARCHIVE_OK) {
        throw Error(ErrorCategory::InvalidInput, "backup_unreadable",
                    path.string() + " is not a readable inkan backup (" +
                        error_text(archive_.get()) + "); pass the file `inkan backup` wrote");
    }
}

std::optional<TarGzReader::Entry> TarGzReader::next() {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(archive_.get(), &entry);
    if (rc == ARCHIVE_EOF) return std::nullopt;
    if (rc != ARCHIVE_OK) {
        throw Error(ErrorCategory::InvalidInput, "backup_corrupt",
                    path_.string() + " is damaged (" + error_text(archive_.get()) +
                        "); use another copy of the backup");
    }
    Entry e;
    const char* name = archive_entry_pathname(entry);
    e.name = name ? name : "";
    e.regular_file = archive_entry_filetype(entry) == AE_IFREG;
    e.directory = archive_entry_filetype(entry) == AE_IFDIR;
    return e;
}

FileDigest TarGzReader::read(const std::function<void(std::string_view)>& sink) {
    Sha256 sha;
    std::array<char, kChunk> buffer;
    for (;;) {
        la_ssize_t got = archive_read_data(archive_.get(), buffer.data(), buffer.size());
        if (got == 0) break;
        if (got < 0) {
            throw Error(ErrorCategory::InvalidInput, "backup_corrupt",
                        path_.string() + " is damaged (" + error_text(archive_.get()) +
                            "); use another copy of the backup");
        }
        std::string_view chunk(buffer.data(), static_cast<size_t>(got));
        sha.update(chunk);
        sink(chunk);
    }
    return sha.finish();
}

}  // namespace inkan::appliance
