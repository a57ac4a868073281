// The routes each listener serves, recorded as register_routes adds them, so
// the OpenAPI document can be checked against the real list (tests) and one
// place knows which listener a route lives on.
#pragma once

#include <pistache/router.h>

#include <map>
#include <string>
#include <vector>

#include "api/authority.h"

namespace inkan::api {

// Admin: the loopback admin listener (GET /metrics); not in the OpenAPI document.
enum class Listener { Operator, Public, Publication, Admin };
const char* to_string(Listener listener) noexcept;  // "operator", "public", "publication", "admin"

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

// A Pistache router that also knows which methods each path has, matched by
// Pistache's own path tree, so an unmatched request gets 405 with Allow (the
// path exists under another method) or 404, both as JSON problems
// (api/http_server.cpp).
class Router : public Pistache::Rest::Router {
  public:
    void add(Pistache::Http::Method method, const std::string& path,
             Pistache::Rest::Route::Handler handler);
    // The methods with a route for this request target (query string ignored).
    std::vector<Pistache::Http::Method> methods_for(const std::string& resource) const;

  private:
    std::map<Pistache::Http::Method, Pistache::Rest::SegmentTreeNode> trees_;
};

// A listener's router and the table it records into; register_routes takes
// one. Built from a bare Router (unit tests), it records nothing.
// With a RequestTracing (api/request_tracing.h), every handler it adds is traced.
// With an Authority (the appliance's wiring) every route registered through it
// is wrapped by the route gate: it sets the request's client address for the
// audit trail (api/client_address.h) and, for Operator and ServiceAdmin routes,
// authenticates the client certificate and checks the role before the handler
// runs (the handler's authenticate() then returns that identity). The trace is
// outside the gate: a refusal is traced too. Built from a bare Router (unit
// tests), routes are neither recorded, traced nor gated.
class RequestTracing;

class Routes {
  public:
    Routes(Router& router)  // NOLINT(google-explicit-constructor)
        : router_(router) {}
    Routes(Router& router, RouteTable& table, Listener listener,
           const RequestTracing* tracing = nullptr, Authority* authority = nullptr)
        : router_(router),
          table_(&table),
          listener_(listener),
          tracing_(tracing),
          authority_(authority) {}

    void get(const std::string& path, Access access, Pistache::Rest::Route::Handler handler);
    void post(const std::string& path, Access access, Pistache::Rest::Route::Handler handler);
    // The listener's not-found handler, which also serves `method path` (a route
    // no Pistache pattern can match, e.g. GET /ocsp/{base64 with "/"}).
    void fallback(const std::string& method, const std::string& path, Access access,
                  Pistache::Rest::Route::Handler handler);

    Router& router() { return router_; }
    Listener listener() const { return listener_; }

  private:
    Router& router_;
    RouteTable* table_ = nullptr;
    Listener listener_ = Listener::Operator;
    const RequestTracing* tracing_ = nullptr;
    Authority* authority_ = nullptr;

    void record(const std::string& method, const std::string& path, Access access);
    Pistache::Rest::Route::Handler traced(const std::string& method, const std::string& path,
                                          Pistache::Rest::Route::Handler handler) const;
    // The gate around a handler (see above).
    Pistache::Rest::Route::Handler gated(Access access, Pistache::Rest::Route::Handler handler);
};

}  // namespace inkan::api
