// A ZIP archive written to disk by libzip: entries are files already on disk
// (read when the archive is closed, one at a time: memory does not grow with
// the archive) or small in-memory texts. libzip writes a temporary file beside
// `path` and renames it into place at finish(): a crash leaves no half ZIP.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace inkan::issuance {

class ZipWriter {
  public:
    explicit ZipWriter(const std::filesystem::path& path);  // throws Error(Internal, "zip_failed")
    ~ZipWriter();                                           // discards an unfinished archive
    ZipWriter(const ZipWriter&) = delete;
    ZipWriter& operator=(const ZipWriter&) = delete;

    // Stored (no compression: P12s are encrypted, incompressible). Names must be unique.
    void add_file(const std::string& name, const std::filesystem::path& file);
    void add_text(const std::string& name, std::string content);

    // Writes the archive; the writer is unusable afterwards.
    void finish();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace inkan::issuance
