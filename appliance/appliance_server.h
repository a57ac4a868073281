// The running appliance's HTTP side, wired once for `inkan serve` and the
// tests: audit log, the core behind the API interfaces (each behind its audit
// decorator), the handlers and the two HTTPS listeners.
#pragma once

#include <memory>

#include "api/certificate_handlers.h"
#include "api/http_server.h"
#include "api/request_handlers.h"
#include "appliance/audited.h"
#include "appliance/issuance_desk.h"
#include "appliance/operator_authority.h"
#include "appliance/services.h"

namespace inkan::appliance {

class ApplianceServer {
public:
    // Throws Error(NotFound, "tls_certificate_missing") before `inkan init` made it.
    explicit ApplianceServer(Services& services);
    ApplianceServer(const ApplianceServer&) = delete;
    ApplianceServer& operator=(const ApplianceServer&) = delete;

    // First revokes what a previous run signed but did not deliver (see
    // issuance/undelivered.h), then listens.
    void start();
    void stop() { server_.stop(); }
    uint16_t operator_port() const { return server_.operator_port(); }
    uint16_t public_port() const { return server_.public_port(); }

private:
    Services& services_;
    const Config& config_;
    AuditLog audit_;
    OperatorAuthority core_authority_;
    AuditedAuthority authority_;
    ApplianceIssuanceDesk core_desk_;
    AuditedDesk desk_;
    api::HttpServer server_;
    api::CertificateHandlers certificates_;
    api::PublicHandlers public_;
    api::RequestHandlers requests_;
    api::RetrievalHandlers retrieval_;
};

}  // namespace inkan::appliance
