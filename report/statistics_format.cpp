#include "report/statistics_format.h"

#include "common/error.h"

namespace inkan::report {
namespace {

nlohmann::json counts_json(const store::CertificateCounts& n) {
    return {{"issued", n.issued},
            {"renewed", n.renewed},
            {"revoked", n.revoked},
            {"valid", n.valid},
            {"expiring_30d", n.expiring}};
}

template <typename Key>
nlohmann::json groups_json(const std::vector<std::pair<Key, store::CertificateCounts>>& groups,
                           const char* key_name) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [key, n] : groups) {
        auto j = counts_json(n);
        j[key_name] = key;
        out.push_back(std::move(j));
    }
    return out;
}

std::string csv_line(const std::string& dimension, const std::string& key,
                     const store::CertificateCounts& n) {
    return dimension + "," + key + "," + std::to_string(n.issued) + "," +
           std::to_string(n.renewed) + "," + std::to_string(n.revoked) + "," +
           std::to_string(n.valid) + "," + std::to_string(n.expiring) + "\r\n";
}

}  // namespace

StatisticsFormat statistics_format(const std::string& name) {
    if (name == "json") return StatisticsFormat::Json;
    if (name == "csv") return StatisticsFormat::Csv;
    throw Error(ErrorCategory::InvalidInput, "format_invalid",
                "format must be json or csv (got '" + name + "')");
}

nlohmann::json statistics_json(const store::CertificateStatistics& s,
                               const std::optional<std::string>& institution) {
    return {{"institution", institution ? nlohmann::json(*institution) : nlohmann::json()},
            {"expiring_within_days", 30},
            {"total", counts_json(s.total)},
            {"by_month", groups_json(s.by_month, "month")},
            {"by_profile", groups_json(s.by_profile, "profile")},
            {"by_download_type", groups_json(s.by_download_type, "download_type")}};
}

std::string statistics_csv(const store::CertificateStatistics& s) {
    std::string out = "dimension,key,issued,renewed,revoked,valid,expiring_30d\r\n";
    out += csv_line("total", "", s.total);
    for (const auto& [k, n] : s.by_month) out += csv_line("month", k, n);
    for (const auto& [k, n] : s.by_profile) out += csv_line("profile", std::to_string(k), n);
    for (const auto& [k, n] : s.by_download_type)
        out += csv_line("download_type", std::to_string(k), n);
    return out;
}

std::string render_statistics(const store::CertificateStatistics& stats,
                              const std::optional<std::string>& institution,
                              StatisticsFormat format) {
    if (format == StatisticsFormat::Csv) return statistics_csv(stats);
    return statistics_json(stats, institution).dump(2) + "\n";
}

}  // namespace inkan::report
