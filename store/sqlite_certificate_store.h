#pragma once

#include "store/certificate_store.h"
#include "store/database.h"

namespace inkan::store {

class SqliteCertificateStore final : public CertificateStore {
  public:
    explicit SqliteCertificateStore(Database& db) : db_(db) {}

    void reserve_serial(const std::string& serial_hex,
                        const std::optional<SubjectClaim>& claim = std::nullopt) override;
    void insert(const CertificateRecord& record) override;
    void abandon_serial(const std::string& serial_hex) override;
    size_t settle_open_reservations() override;
    bool subject_claimed(const SubjectClaim& claim, int64_t now) override;
    bool renewal_pending(const std::string& serial_hex, int64_t now) override;
    std::vector<CertificateRecord> undelivered() override;
    std::optional<CertificateRecord> find(const std::string& serial_hex) override;
    std::optional<CertificateRecord> find_by_decimal(const std::string& serial_dec) override;
    std::vector<CertificateRecord> list(const CertificateFilter& filter) override;
    CertificatePage search_subscribers(const CertificateQuery& query) override;
    std::vector<CertificateExportRow> export_page(const CertificateQuery& query,
                                                  int64_t after_rowid, size_t limit) override;
    CertificateStatistics statistics(const std::optional<std::string>& institution,
                                     int64_t now) override;
    void revoke(const std::string& serial_hex, int64_t reason,
                const std::optional<std::string>& comment, int64_t when) override;
    std::vector<RevokedEntry> revoked() override;

  private:
    std::optional<CertificateRecord> find_where(const char* column, const std::string& value);
    Database& db_;
};

}  // namespace inkan::store
