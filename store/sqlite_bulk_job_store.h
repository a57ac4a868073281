#pragma once

#include "store/bulk_job_store.h"
#include "store/database.h"

namespace inkan::store {

class SqliteBulkJobStore final : public BulkJobStore {
  public:
    explicit SqliteBulkJobStore(Database& db) : db_(db) {}

    bool create(const BulkJobRecord& job) override;
    std::optional<BulkJobRecord> find(const std::string& batch_id) override;
    std::vector<BulkJobRecord> unfinished() override;
    void mark_started(const std::string& batch_id, int64_t now) override;
    void add_file(const std::string& batch_id, const BulkJobFile& file) override;
    std::vector<BulkJobFile> files(const std::string& batch_id) override;
    void finish(const std::string& batch_id, BulkJobState state, int64_t now,
                const std::string& error_code, const std::string& error_message) override;

  private:
    Database& db_;
};

}  // namespace inkan::store
