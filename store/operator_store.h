// RA operators and service admins: who they are, their institution, and the
// client certificate (issued by this CA) they authenticate with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/operator_role.h"

namespace inkan::store {

using inkan::OperatorRole;
using inkan::to_string;

struct OperatorRecord {
    int64_t id = 0;
    std::string name;
    std::string institution;
    std::string email;
    OperatorRole role = OperatorRole::RaOperator;
    std::string certificate_serial;  // hex, certificates.serial_hex
    int64_t created_at = 0;
};

class OperatorStore {
  public:
    virtual ~OperatorStore() = default;
    virtual int64_t add(const OperatorRecord& op) = 0;  // Conflict if the name exists
    virtual std::optional<OperatorRecord> find_by_certificate(const std::string& serial_hex) = 0;
    virtual std::optional<OperatorRecord> find_by_name(const std::string& name) = 0;
    virtual std::vector<OperatorRecord> list() = 0;
};

}  // namespace inkan::store
