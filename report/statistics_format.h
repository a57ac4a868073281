// The issued-certificate statistics (issue 9 point 5) as JSON or CSV, for
// GET /api/v1/statistics and `inkan stats`.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "store/certificate_store.h"

namespace inkan::report {

enum class StatisticsFormat { Json, Csv };
// "json" or "csv"; anything else throws Error(InvalidInput, "format_invalid").
StatisticsFormat statistics_format(const std::string& name);

// institution: the scope (none: every institution).
nlohmann::json statistics_json(const store::CertificateStatistics& stats,
                               const std::optional<std::string>& institution);
// A header line, then one line per group: dimension (total, month, profile,
// download_type), key, issued, renewed, revoked, valid, expiring_30d. CRLF.
std::string statistics_csv(const store::CertificateStatistics& stats);

std::string render_statistics(const store::CertificateStatistics& stats,
                              const std::optional<std::string>& institution,
                              StatisticsFormat format);

}  // namespace inkan::report
