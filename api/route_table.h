// The routes each listener serves, recorded as register_routes adds them, so
// the OpenAPI document can be checked against the real list (tests) and one
// place knows which listener a route lives on.
#pragma once

#include <pistache/router.h>

#include <string>
#include <vector>

#include "api/authority.h"

namespace inkan::api {

enum class Listener { Operator, Public, Publication };
const char* to_string(Listener listener) noexcept;  // "operator", "public", "publication"

// Who may call a route (README "Roles per endpoint"); the route gate checks it
// before the handler runs.
enum class Access {
    // Anyone, no client certificate (subscribers, relying parties).
    Public,
    // A registered, unrevoked operator: an RA operator sees and changes only its
    // own institution's resources (another institution's answer 404 as if absent),
    // a service admin every institution's.
    Operator,
    // Service admins only (403 service_admin_only for an RA operator).
    ServiceAdmin,
};
const char* to_string(Access access) noexcept;  // "public", "operator", "service_admin"

struct RouteEntry {
    Listener listener;
    std::string method;  // "GET", "POST"
    std::string path;    // Pistache syntax: /api/v1/certificates/:serial
    Access access = Access::Public;
};

class RouteTable {
  public:
    void add(RouteEntry entry) { entries_.push_back(std::move(entry)); }
    const std::vector<RouteEntry>& entries() const { return entries_; }

  private:
    std::vector<RouteEntry> entries_;
};

// A listener's router and the table it records into; register_routes takes
// one. Built from a bare Router (unit tests), it records nothing.
// With an Authority (the appliance's wiring) every route registered through it
// is wrapped by the route gate: it sets the request's client address for the
// audit trail (api/client_address.h) and, for Operator and ServiceAdmin routes,
// authenticates the client certificate and checks the role before the handler
// runs (the handler's authenticate() then returns that identity). Built from a
// bare Router (unit tests), routes are neither recorded nor gated.
class Routes {
  public:
    Routes(Pistache::Rest::Router& router)  // NOLINT(google-explicit-constructor)
        : router_(router) {}
    Routes(Pistache::Rest::Router& router, RouteTable& table, Listener listener,
           Authority* authority = nullptr)
        : router_(router), table_(&table), listener_(listener), authority_(authority) {}

    void get(const std::string& path, Access access, Pistache::Rest::Route::Handler handler);
    void post(const std::string& path, Access access, Pistache::Rest::Route::Handler handler);
    // A route that a not-found handler serves (no pattern Pistache can match).
    void record(const std::string& method, const std::string& path, Access access);
    // The gate around a handler this listener serves by other means (not-found handler).
    Pistache::Rest::Route::Handler gated(Access access, Pistache::Rest::Route::Handler handler);

    Pistache::Rest::Router& router() { return router_; }
    Listener listener() const { return listener_; }

  private:
    Pistache::Rest::Router& router_;
    RouteTable* table_ = nullptr;
    Listener listener_ = Listener::Operator;
    Authority* authority_ = nullptr;
};

}  // namespace inkan::api
