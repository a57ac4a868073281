#pragma once

#include <pistache/router.h>

#include "api/publication.h"
#include "api/route_table.h"

namespace inkan::api {

// The plain-HTTP publication listener (no TLS: relying parties fetch the CRL and
// ask OCSP while validating the very certificates TLS would need):
// GET  /crl/<name>.crl   latest CRL, application/pkix-crl
// GET  /ca.crt           CA certificate, application/pkix-cert
// POST /ocsp             application/ocsp-request -> application/ocsp-response
// GET  /ocsp/<base64>    the same request, base64 (URL-encoded) in the path (RFC 6960 A.1)
class PublicationHandlers {
  public:
    explicit PublicationHandlers(Publication& publication) : publication_(publication) {}
    void register_routes(Routes routes);

  private:
    void crl(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void ca_certificate(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void ocsp_post(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    // Not-found handler: GET /ocsp/<anything, slashes included>, else 404.
    void other(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    Publication& publication_;
};

// "%2B" -> "+" (never '+' -> ' ': base64 uses '+'). Returns nullopt for a bad escape.
std::optional<std::string> percent_decode(const std::string& text);
// Standard base64 (padding optional, no whitespace). nullopt when not base64.
std::optional<Bytes> base64_decode(const std::string& text);

}  // namespace inkan::api
