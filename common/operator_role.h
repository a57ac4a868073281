// Who an authenticated operator is to the appliance: an RA operator of one
// institution, or a service admin (every institution, the admin functions).
// One enum for the store, the API and the CLI; the text form is what the
// database, JSON and `--role` carry.
#pragma once

#include <optional>
#include <string_view>

namespace inkan {

enum class OperatorRole { RaOperator, ServiceAdmin };

const char* to_string(OperatorRole role) noexcept;  // "ra_operator" or "service_admin"
std::optional<OperatorRole> parse_operator_role(std::string_view text) noexcept;

}  // namespace inkan
