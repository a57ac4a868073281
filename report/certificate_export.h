// The certificate information download (manual 1-5, issue 9 point 4): a ZIP of
// certificates.tsv (the service's layout, README "Certificate information
// download") and certs/<serial decimal>.pem for every subscriber certificate a
// look-up query matches.
//
// Memory stays flat in the number of certificates apart from libzip's entry
// table: the store is read a page at a time, the TSV and the PEMs go to scratch
// files next to the ZIP, each ZIP entry is a libzip file source over a range of
// those files (read only when the archive is closed), and libzip writes the
// archive to disk.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "store/certificate_store.h"

namespace inkan::report {

enum class TsvEncoding { ShiftJis, Utf8 };

struct ExportOptions {
    TsvEncoding encoding = TsvEncoding::ShiftJis;
    size_t page_size = 500;
};

// Status codes of column 12.
enum class ExportStatus {
    Valid = 1,        // valid, delivered
    Undelivered = 2,  // valid, the subscriber has not downloaded it yet
    Revoked = 7,
    Expired = 8,
};
ExportStatus export_status(const store::CertificateRecord& record, int64_t now);

// The header line and one certificate's line (UTF-8, tab-separated, CRLF).
std::string tsv_header();
std::string tsv_line(const store::CertificateExportRow& row, int64_t now);

// Writes the ZIP to zip_path (replaced); query.limit and query.offset are
// ignored. Returns the number of certificates. Throws Error(Internal,
// "export_failed") when the disk refuses, saying which file.
size_t write_certificate_export(store::CertificateStore& store,
                                const store::CertificateQuery& query, const ExportOptions& options,
                                const std::filesystem::path& zip_path);

}  // namespace inkan::report
