#include "appliance/reports.h"

#include <random>

#include "appliance/operator_authority.h"
#include "common/error.h"
#include "report/certificate_export.h"
#include "report/statistics_format.h"
#include "store/database.h"

namespace inkan::appliance {
namespace {

std::optional<std::string> scope_of(const api::OperatorIdentity& who) {
    if (who.role == OperatorRole::ServiceAdmin) return std::nullopt;
    return who.institution;
}

// A fresh name in <state>/tmp for one export.
std::filesystem::path scratch_zip(const Config& config) {
    auto dir = config.state_dir / "tmp";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        throw Error(ErrorCategory::Internal, "export_failed",
                    "cannot create " + dir.string() + ": " + ec.message() +
                        "; check the state folder's permissions");
    }
    std::random_device rd;
    char name[48];
    std::snprintf(name, sizeof name, "export-%08x%08x.zip", rd(), rd());
    return dir / name;
}

}  // namespace

std::unique_ptr<api::ExportArchive> ApplianceReports::export_certificates(
    const api::OperatorIdentity& who, const api::CertificateQuery& query,
    api::ExportEncoding encoding) {
    auto sq = store_query(who, query);
    report::ExportOptions options;
    options.encoding = encoding == api::ExportEncoding::Utf8 ? report::TsvEncoding::Utf8
                                                             : report::TsvEncoding::ShiftJis;
    auto path = scratch_zip(s_.config);
    size_t n = 0;
    try {
        n = report::write_certificate_export(*s_.certificates, sq, options, path);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        throw;
    }
    return std::make_unique<api::ExportArchive>(path, n);
}

std::string ApplianceReports::statistics(const api::OperatorIdentity& who,
                                         api::StatisticsFormat format) {
    return render_statistics(*s_.certificates, scope_of(who), format == api::StatisticsFormat::Csv);
}

std::string render_statistics(store::CertificateStore& store,
                              const std::optional<std::string>& institution, bool csv) {
    auto stats = store.statistics(institution, store::unix_now());
    return report::render_statistics(
        stats, institution, csv ? report::StatisticsFormat::Csv : report::StatisticsFormat::Json);
}

}  // namespace inkan::appliance
