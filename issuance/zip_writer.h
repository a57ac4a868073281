// An in-memory ZIP archive (libzip): add files, then take the bytes.
#pragma once

#include <memory>
#include <string>

#include "common/bytes.h"

namespace inkan::issuance {

class ZipWriter {
  public:
    ZipWriter();  // throws Error(Internal, "zip_failed")
    ~ZipWriter();
    ZipWriter(const ZipWriter&) = delete;
    ZipWriter& operator=(const ZipWriter&) = delete;

    // Stored (no compression: P12s are encrypted, incompressible). Names must be unique.
    void add(const std::string& name, Bytes content);

    // Closes the archive and returns it; the writer is unusable afterwards.
    Bytes finish();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace inkan::issuance
