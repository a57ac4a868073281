#pragma once

#include <pistache/router.h>

#include "api/administration.h"
#include "api/authority.h"
#include "api/route_table.h"

namespace inkan::api {

// Service admins only (api::Access::ServiceAdmin), on the operator listener;
// JSON bodies; every change audited (README "Service admin API"):
//   GET  /api/v1/admin/institutions                 every institution
//   POST /api/v1/admin/institutions                 {name, state?, locality?, whois_names?,
//                                                    profiles?}
//   GET  /api/v1/admin/institutions/:name           one (name URL-encoded)
//   POST /api/v1/admin/institutions/:name/domains   {domain, until: YYYY-MM-DD}
//   POST /api/v1/admin/institutions/:name/locality  {state?, locality?} (absent: cleared)
//   POST /api/v1/admin/institutions/:name/whois-names  {organisation}
//   GET  /api/v1/admin/operators                    every operator
//   POST /api/v1/admin/operators                    {name, institution, email, role?} → 201
//                                                    with the PKCS#12 (base64) and its
//                                                    password, this once
//   POST /api/v1/admin/operators/:name/revoke       {reason: 1|3|4|5}
class AdminHandlers {
  public:
    AdminHandlers(Authority& authority, Administration& admin)
        : authority_(authority), admin_(admin) {}
    void register_routes(Routes routes);

  private:
    void list_institutions(const Pistache::Rest::Request& req,
                           Pistache::Http::ResponseWriter writer);
    void add_institution(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void show_institution(const Pistache::Rest::Request& req,
                          Pistache::Http::ResponseWriter writer);
    void approve_domain(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void set_locality(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void add_whois_name(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void list_operators(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void add_operator(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void revoke_operator(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    Authority& authority_;
    Administration& admin_;
};

}  // namespace inkan::api
