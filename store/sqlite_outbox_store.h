#pragma once

#include "store/database.h"
#include "store/outbox_store.h"

namespace inkan::store {

class SqliteOutboxStore final : public OutboxStore {
  public:
    explicit SqliteOutboxStore(Database& db) : db_(db) {}
    std::vector<OutboxEntry> due(int64_t now, size_t limit) override;
    void mark_sent(int64_t id, int64_t when) override;
    void record_failure(int64_t id, const std::string& error, int64_t next_attempt_at, bool dead,
                        int64_t when) override;
    std::vector<OutboxEntry> list(std::optional<MailState> state, size_t limit) override;
    std::optional<OutboxEntry> find(int64_t id) override;
    size_t retry(std::optional<int64_t> id, int64_t now) override;
    std::map<MailState, size_t> counts() override;

  private:
    Database& db_;
};

}  // namespace inkan::store
