// api::Reports over the store: the certificate information download (built
// with report::write_certificate_export in the state folder's tmp/, streamed
// by the API and then removed) and the statistics.
#pragma once

#include "api/reports.h"
#include "appliance/services.h"

namespace inkan::appliance {

class ApplianceReports final : public api::Reports {
  public:
    explicit ApplianceReports(Services& services) : s_(services) {}
    std::unique_ptr<api::ExportArchive> export_certificates(const api::OperatorIdentity& who,
                                                            const api::CertificateQuery& query,
                                                            api::ExportEncoding encoding) override;
    std::string statistics(const api::OperatorIdentity& who, api::StatisticsFormat format) override;

  private:
    Services& s_;
};

// The statistics of one institution (none: all) rendered as `format`
// (GET /api/v1/statistics and `inkan stats`).
std::string render_statistics(store::CertificateStore& store,
                              const std::optional<std::string>& institution, bool csv);

}  // namespace inkan::appliance
