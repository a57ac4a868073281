// What the report endpoints need from the core (issue 9 points 4 and 5): the
// certificate information download and the issued-certificate statistics.
// appliance/ implements it over the store; api never sees SQL or libzip.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "api/authority.h"

namespace inkan::api {

enum class ExportEncoding { ShiftJis, Utf8 };
enum class StatisticsFormat { Json, Csv };

// A finished export on disk, removed when this object goes.
class ExportArchive {
  public:
    ExportArchive(std::filesystem::path path, size_t certificates)
        : path_(std::move(path)), certificates_(certificates) {}
    ~ExportArchive() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    ExportArchive(const ExportArchive&) = delete;
    ExportArchive& operator=(const ExportArchive&) = delete;
    const std::filesystem::path& path() const { return path_; }
    size_t certificates() const { return certificates_; }

  private:
    std::filesystem::path path_;
    size_t certificates_;
};

class Reports {
  public:
    virtual ~Reports() = default;
    // The ZIP (certificates.tsv + certs/<serial>.pem) of the subscriber
    // certificates of the operator's institution (a service admin: all) that
    // match the query (its limit and offset are not used). InvalidInput for a
    // bad serial or status.
    virtual std::unique_ptr<ExportArchive> export_certificates(const OperatorIdentity& who,
                                                               const CertificateQuery& query,
                                                               ExportEncoding encoding) = 0;
    // The statistics of the same scope, rendered (JSON or CSV text).
    virtual std::string statistics(const OperatorIdentity& who, StatisticsFormat format) = 0;
};

}  // namespace inkan::api
