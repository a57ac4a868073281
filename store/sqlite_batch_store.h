#pragma once

#include "store/batch_store.h"
#include "store/database.h"

namespace inkan::store {

class SqliteBatchStore final : public BatchStore {
  public:
    explicit SqliteBatchStore(Database& db) : db_(db) {}

    std::vector<ConflictingRow> create(const NewBatch& batch) override;
    std::vector<std::string> record_revocations(
        const std::vector<Revocation>& revocations,
        const std::vector<NotificationRecord>& notifications, int64_t when) override;
    std::optional<BatchRecord> find_batch(const std::string& id) override;
    std::vector<BatchRecord> list_batches(const std::optional<std::string>& institution,
                                          size_t limit) override;
    std::vector<BatchRowRecord> rows(const std::string& batch_id) override;
    BatchRowCounts row_counts(const std::string& batch_id, int64_t now) override;
    std::optional<BatchRowRecord> row(const std::string& batch_id, int64_t row_no) override;
    std::optional<UrlRecord> find_url(ByteView token_hash) override;
    bool consume_pin_url(ByteView token_hash, int64_t now) override;
    PinFailure record_pin_failure(const std::string& batch_id, int64_t row_no, int limit) override;
    void record_downloads(const std::string& batch_id, const std::vector<Download>& downloads,
                          const std::vector<NotificationRecord>& notifications,
                          int64_t now) override;
    std::vector<NotificationRecord> notifications_of(const std::string& batch_id,
                                                     const std::string& type) override;
    bool unlock_row(const std::string& batch_id, int64_t row_no, int limit) override;
    std::vector<ConflictingRow> renew_urls(const UrlRenewal& renewal) override;
    std::vector<NotificationRecord> pending_notifications(
        const std::optional<std::string>& batch_id) override;
    void mark_notification_sent(int64_t id, int64_t when) override;

  private:
    Database& db_;
};

}  // namespace inkan::store
