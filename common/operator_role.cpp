#include "common/operator_role.h"

namespace inkan {

const char* to_string(OperatorRole role) noexcept {
    return role == OperatorRole::ServiceAdmin ? "service_admin" : "ra_operator";
}

std::optional<OperatorRole> parse_operator_role(std::string_view text) noexcept {
    if (text == "ra_operator") return OperatorRole::RaOperator;
    if (text == "service_admin") return OperatorRole::ServiceAdmin;
    return std::nullopt;
}

}  // namespace inkan
