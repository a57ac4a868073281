#pragma once

#include "store/database.h"
#include "store/operator_store.h"

namespace inkan::store {

class SqliteOperatorStore final : public OperatorStore {
  public:
    explicit SqliteOperatorStore(Database& db) : db_(db) {}
    int64_t add(const OperatorRecord& op) override;
    std::optional<OperatorRecord> find_by_certificate(const std::string& serial_hex) override;
    std::optional<OperatorRecord> find_by_name(const std::string& name) override;
    std::vector<OperatorRecord> list() override;

  private:
    std::optional<OperatorRecord> find_where(const char* column, const std::string& value);
    Database& db_;
};

}  // namespace inkan::store
