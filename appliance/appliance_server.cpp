#include "appliance/appliance_server.h"

#include <filesystem>

#include "common/error.h"
#include "common/log.h"

namespace inkan::appliance {
namespace {

// How often `inkan serve` checks whether the CRL is due (README "Revocation status").
constexpr std::chrono::seconds kCrlCheckInterval{60};

api::HttpServerConfig http_config(const Config& config, const std::string& front_secret,
                                  metrics::HttpMetrics& http_metrics) {
    if (!std::filesystem::exists(config.tls_certificate_path())) {
        throw Error(ErrorCategory::NotFound, "tls_certificate_missing",
                    "no HTTPS certificate at " + config.tls_certificate_path().string() +
                        " (run `inkan init`)");
    }
    api::HttpServerConfig hc;
    hc.bind_address = config.http.bind_address;
    hc.operator_port = config.http.operator_port;
    hc.public_port = config.http.public_port;
    hc.crl_port = config.http.crl_port;
    hc.tls_certificate_file = config.tls_certificate_path().string();
    hc.tls_key_file = config.tls_key_path().string();
    hc.client_ca_file = config.ca_certificate_path().string();
    hc.max_body_bytes = config.http.max_body_bytes;
    hc.threads = config.http.threads;
    hc.admin_listener = config.http.metrics;
    hc.admin_port = config.http.metrics_port;
    hc.http_metrics = &http_metrics;
    if (!front_secret.empty()) {  // behind the front: loopback, ports the kernel picks
        hc.bind_address = "127.0.0.1";
        hc.operator_port = hc.public_port = hc.crl_port = 0;
        hc.front_secret = front_secret;
    }
    return hc;
}

}  // namespace

ApplianceServer::ApplianceServer(Services& services)
    : services_(services),
      config_(services.config),
      monitoring_(services),
      audit_(services.config.audit_log_path()),
      core_authority_(services),
      audited_authority_(core_authority_, audit_),
      authority_(audited_authority_, monitoring_.workflow),
      core_desk_(*services.issuance, *services.policy, *services.crl_publisher),
      audited_desk_(core_desk_, audit_),
      desk_(audited_desk_, monitoring_.workflow),
      front_secret_(services.config.http.front == "nginx" ? new_front_secret() : ""),
      server_(http_config(services.config, front_secret_, monitoring_.http)),
      certificates_(authority_),
      health_(*services.token),
      public_(authority_, health_),
      requests_(
          authority_, desk_,
          [this] { return config_.http.effective_public_base_url(public_port()); },
          services.config.mail.transport != "none"),
      retrieval_(desk_),
      publication_(services),
      publication_handlers_(publication_),
      outbox_view_(*services.outbox),
      outbox_handlers_(authority_, outbox_view_),
      crl_refresher_("CRL regeneration", kCrlCheckInterval, crl_refresh(*services.crl_publisher)),
      core_reports_(services),
      reports_(core_reports_, audit_),
      report_handlers_(authority_, reports_),
      metrics_handlers_(monitoring_.registry),
      mail_transport_(make_mail_transport(services.config)) {
    if (mail_transport_) {
        outbox_ = make_notification_outbox(services, *mail_transport_, [this] {
            return config_.http.effective_public_base_url(public_port());
        });
        mail_sender_ = std::make_unique<PeriodicTask>(
            "mail sending", std::chrono::seconds(services.config.mail.send_interval_seconds),
            [this] {
                // Rounds until nothing due is left (a big batch queues many mails).
                while (outbox_->send_due().sent > 0) {
                }
            });
    }
    const api::RequestTracing* tracing = &server_.tracing();
    api::Routes operator_routes(server_.operator_router(), routes_, api::Listener::Operator,
                                tracing);
    api::Routes public_routes(server_.public_router(), routes_, api::Listener::Public, tracing);
    api::Routes publication_routes(server_.publication_router(), routes_,
                                   api::Listener::Publication, tracing);
    api::Routes admin_routes(server_.admin_router(), routes_, api::Listener::Admin, tracing);
    certificates_.register_routes(operator_routes);
    requests_.register_routes(operator_routes);
    report_handlers_.register_routes(operator_routes);
    outbox_handlers_.register_routes(operator_routes);
    openapi_.register_routes(operator_routes);
    web_pages_.register_operator_routes(operator_routes);
    public_.register_routes(public_routes);
    retrieval_.register_routes(public_routes);
    openapi_.register_routes(public_routes);
    web_pages_.register_public_routes(public_routes);
    publication_handlers_.register_routes(publication_routes);
    metrics_handlers_.register_routes(admin_routes);
}

void ApplianceServer::start() {
    if (size_t revoked = services_.issuance->recover_undelivered()) {
        log::warn("revoked certificates that an earlier run signed but did not deliver",
                  {{"revoked", revoked}, {"reason", "superseded"}});
    }
    services_.crl_publisher->refresh_if_due();  // errors at start are the caller's
    crl_refresher_.start();
    if (mail_sender_) mail_sender_->start();
    try {
        server_.start();
        if (!front_secret_.empty()) {
            front_ = std::make_unique<NginxFront>(
                config_.http.nginx_binary,
                front_plan(config_, server_.operator_port(), server_.public_port(),
                           server_.crl_port(), front_secret_));
        }
    } catch (...) {
        server_.stop();
        stop_tasks();
        throw;
    }
}

void ApplianceServer::stop() {
    front_.reset();
    server_.stop();
    stop_tasks();
}

uint16_t ApplianceServer::operator_port() const {
    return front_ ? config_.http.operator_port : server_.operator_port();
}

uint16_t ApplianceServer::public_port() const {
    return front_ ? config_.http.public_port : server_.public_port();
}

uint16_t ApplianceServer::crl_port() const {
    return front_ ? config_.http.crl_port : server_.crl_port();
}

void ApplianceServer::stop_tasks() {
    crl_refresher_.stop();
    if (mail_sender_) mail_sender_->stop();
}

}  // namespace inkan::appliance
