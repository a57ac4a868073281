// What the route gate (api/route_table.h) learnt about the request a handler
// thread is serving: the client address, for the audit trail, and the operator
// it authenticated, so the handler's authenticate() does not ask again.
// Behind the TLS front the address is the one nginx saw (X-Inkan-Client-Address,
// believed only because the gate admitted the front's secret, api/front_gate.h).
#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <optional>
#include <string>

#include "api/authority.h"

namespace inkan::api {

inline constexpr const char* kClientAddressHeader = "X-Inkan-Client-Address";

// "" outside a request.
const std::string& current_client_address();
// The operator the gate admitted for this request, if any.
const OperatorIdentity* current_operator();

// The peer's address, or behind the front the address the front forwarded.
std::string client_address_of(const Pistache::Rest::Request& request,
                              Pistache::Http::ResponseWriter& writer);

class RequestScope {
  public:
    explicit RequestScope(std::string client_address);
    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;
    void admit(OperatorIdentity who);
};

}  // namespace inkan::api
