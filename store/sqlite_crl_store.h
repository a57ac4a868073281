#pragma once

#include "store/crl_store.h"
#include "store/database.h"

namespace inkan::store {

class SqliteCrlStore final : public CrlStore {
  public:
    explicit SqliteCrlStore(Database& db) : db_(db) {}

    std::optional<CrlRecord> latest() override;
    void insert(const CrlRecord& record) override;
    int64_t revoked_count() override;

  private:
    Database& db_;
};

}  // namespace inkan::store
