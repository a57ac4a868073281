#pragma once

#include "api/authority.h"
#include "api/health.h"
#include "api/http_server.h"
#include "api/route_table.h"

namespace inkan::api {

// POST /api/v1/certificates      (RA operator) PKCS#10 CSR → issued certificate
// GET  /api/v1/certificates?subject=&subject_contains=&mail=&serial=&status=&limit=&offset=
// GET  /api/v1/certificates/:serial
class CertificateHandlers {
  public:
    explicit CertificateHandlers(Authority& authority) : authority_(authority) {}
    void register_routes(Routes routes);

  private:
    void issue(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void show(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void list(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    Authority& authority_;
};

// GET /healthz (liveness: always 200 while the process serves, with the HSM
// state), GET /readyz (readiness: 503 with Retry-After while the HSM is
// unavailable), GET /ca.pem — no client certificate.
class PublicHandlers {
  public:
    PublicHandlers(Authority& authority, Health& health) : authority_(authority), health_(health) {}
    void register_routes(Routes routes);

  private:
    Authority& authority_;
    Health& health_;
};

}  // namespace inkan::api
