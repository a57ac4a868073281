// The running appliance's HTTP side, wired once for `inkan serve` and the
// tests: audit log, the core behind the API interfaces (each behind its audit
// decorator), the handlers, the two HTTPS listeners, the plain-HTTP publication
// listener (CRL, CA certificate, OCSP), the CRL refresh timer and the mail sender;
// with http.front nginx the listeners are loopback plain HTTP behind the TLS front
// (appliance/front.h), which start() starts and stop() stops.
#pragma once

#include <memory>

#include "api/admin_handlers.h"
#include "api/certificate_handlers.h"
#include "api/http_server.h"
#include "api/metrics_handlers.h"
#include "api/openapi_handlers.h"
#include "api/outbox_handlers.h"
#include "api/publication_handlers.h"
#include "api/report_handlers.h"
#include "api/request_handlers.h"
#include "api/web_pages.h"
#include "appliance/audited.h"
#include "appliance/front.h"
#include "appliance/hsm_health.h"
#include "appliance/issuance_desk.h"
#include "appliance/mail_wiring.h"
#include "appliance/metered.h"
#include "appliance/monitoring.h"
#include "appliance/operator_authority.h"
#include "appliance/outbox_view.h"
#include "appliance/periodic_task.h"
#include "appliance/publication.h"
#include "appliance/reports.h"
#include "appliance/service_admin.h"
#include "appliance/services.h"

namespace inkan::appliance {

class ApplianceServer {
  public:
    // Throws Error(NotFound, "tls_certificate_missing") before `inkan init` made it.
    explicit ApplianceServer(Services& services);
    ApplianceServer(const ApplianceServer&) = delete;
    ApplianceServer& operator=(const ApplianceServer&) = delete;

    // First revokes what a previous run signed but did not deliver (see
    // issuance/undelivered.h), publishes a CRL if it is due, starts the mail
    // sender (unless mail.transport is none), then listens.
    void start();
    void stop();
    // Where clients connect: the front's ports with http.front nginx.
    uint16_t operator_port() const;
    uint16_t public_port() const;
    uint16_t crl_port() const;
    // The application's own listeners (behind the front: loopback plain HTTP).
    uint16_t app_operator_port() const { return server_.operator_port(); }
    uint16_t app_public_port() const { return server_.public_port(); }
    uint16_t app_crl_port() const { return server_.crl_port(); }
    // The loopback admin listener (GET /metrics); 0 with http.metrics false.
    uint16_t metrics_port() const { return server_.admin_port(); }
    metrics::Registry& metrics() { return monitoring_.registry; }
    // Every route of the three listeners, as registered (GET /openapi.json documents them).
    const api::RouteTable& routes() const { return routes_; }

  private:
    void stop_tasks();
    Services& services_;
    const Config& config_;
    Monitoring monitoring_;
    AuditLog& audit_;
    OperatorAuthority core_authority_;
    AuditedAuthority audited_authority_;
    MeteredAuthority authority_;  // what the handlers use: metered, then audited
    ApplianceIssuanceDesk core_desk_;
    AuditedDesk audited_desk_;
    MeteredDesk desk_;
    std::string front_secret_;  // empty without the front
    api::HttpServer server_;
    api::CertificateHandlers certificates_;
    HsmHealthReport health_;
    api::PublicHandlers public_;
    api::RequestHandlers requests_;
    api::RetrievalHandlers retrieval_;
    AppliancePublication publication_;
    api::PublicationHandlers publication_handlers_;
    ApplianceOutboxView outbox_view_;
    api::OutboxHandlers outbox_handlers_;
    PeriodicTask crl_refresher_;
    PeriodicTask wal_checkpointer_;  // the store's checkpoints, off the request path
    ApplianceReports core_reports_;
    AuditedReports reports_;
    api::ReportHandlers report_handlers_;
    ServiceAdmin admin_;
    api::AdminHandlers admin_handlers_;
    api::OpenApiHandlers openapi_;
    api::WebPages web_pages_;
    api::MetricsHandlers metrics_handlers_;
    api::RouteTable routes_;
    std::unique_ptr<mail::MailTransport> mail_transport_;   // null: mail.transport none
    std::unique_ptr<issuance::NotificationOutbox> outbox_;  // null: mail.transport none
    std::unique_ptr<PeriodicTask> mail_sender_;
    std::unique_ptr<NginxFront> front_;  // null without the front or before start()
};

}  // namespace inkan::appliance
