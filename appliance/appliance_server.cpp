#include "appliance/appliance_server.h"

#include <filesystem>

#include "common/error.h"
#include "common/log.h"
#include "issuance/url_tokens.h"

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

UrlLocator url_locator(Services& services) {
    return [&services](const std::string& token) -> std::optional<UrlOwner> {
        auto url = services.batches->find_url(issuance::url_token_hash(token));
        if (!url) return std::nullopt;
        return UrlOwner{url->batch_id, url->row_no};
    };
}

// The configuration this start runs with (no secrets: the PIN and SMTP password
// are never in it), and what changed since the previous start's record.
void record_start(AuditLog& audit, const Config& config) {
    nlohmann::json now = config_to_json(config);
    std::string digest = store::sha256_hex(now.dump());
    nlohmann::json previous;
    if (auto last = audit.latest("appliance_started")) {
        auto fields = nlohmann::json::parse(last->fields, nullptr, false);
        if (fields.is_object() && fields.contains("config")) previous = fields["config"];
    }
    audit.record("appliance_started", {{"config", now}, {"config_sha256", digest}});
    if (!previous.is_null() && previous != now) {
        nlohmann::json changed = nlohmann::json::array();
        for (const auto& op : nlohmann::json::diff(previous, now)) changed.push_back(op["path"]);
        audit.record("config_changed", {{"paths", changed}, {"config_sha256", digest}});
    }
}

}  // namespace

ApplianceServer::ApplianceServer(Services& services)
    : services_(services),
      config_(services.config),
      monitoring_(services),
      audit_(*services.audit),
      core_authority_(services),
      audited_authority_(core_authority_, audit_),
      authority_(audited_authority_, monitoring_.workflow),
      core_desk_(*services.issuance, *services.policy, *services.crl_publisher),
      audited_desk_(core_desk_, audit_, url_locator(services)),
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
      wal_checkpointer_("WAL checkpoint", std::chrono::seconds(1),
                        [&database = *services.database] { database.checkpoint(); }),
      core_reports_(services),
      reports_(core_reports_, audit_),
      report_handlers_(authority_, reports_),
      admin_(services),
      admin_handlers_(authority_, admin_),
      metrics_handlers_(monitoring_.registry),
      mail_transport_(make_mail_transport(services.config)) {
    if (mail_transport_) {
        outbox_ = make_notification_outbox(services, *mail_transport_, [this] {
            return config_.http.effective_public_base_url(public_port());
        });
        mail_sender_ = std::make_unique<PeriodicTask>(
            "mail sending", std::chrono::seconds(services.config.mail.send_interval_seconds),
            [this] {
                // Rounds until nothing due is left (a big batch queues many mails);
                // a stop waits for the round in progress only (at most
                // 50 mails, OutboxConfig::batch_size), the rest after the next start.
                while (!mail_sender_->stopping() && outbox_->send_due().sent > 0) {
                }
            });
    }
    // Every route traced (log line, metrics) and through the gate: client address
    // for the audit trail, and the role each route declares (api::Access)
    // checked before its handler runs.
    const api::RequestTracing* tracing = &server_.tracing();
    api::Routes operator_routes(server_.operator_router(), routes_, api::Listener::Operator,
                                tracing, &authority_);
    api::Routes public_routes(server_.public_router(), routes_, api::Listener::Public, tracing,
                              &authority_);
    api::Routes publication_routes(server_.publication_router(), routes_,
                                   api::Listener::Publication, tracing, &authority_);
    api::Routes admin_routes(server_.admin_router(), routes_, api::Listener::Admin, tracing);
    certificates_.register_routes(operator_routes);
    requests_.register_routes(operator_routes);
    report_handlers_.register_routes(operator_routes);
    outbox_handlers_.register_routes(operator_routes);
    admin_handlers_.register_routes(operator_routes);
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
    record_start(audit_, config_);  // no start without its record (Dogtag's rule)
    if (size_t revoked = services_.issuance->recover_undelivered()) {
        log::warn("revoked certificates that an earlier run signed but did not deliver",
                  {{"revoked", revoked}, {"reason", "superseded"}});
    }
    services_.crl_publisher->refresh_if_due();  // errors at start are the caller's
    crl_refresher_.start();
    services_.database->take_over_checkpoints();
    wal_checkpointer_.start();
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
    try {
        audit_.record("appliance_stopped", nlohmann::json::object());
        audit_.checkpoint();
    } catch (const std::exception& e) {
        std::cerr << "inkan: the stop was not recorded in the audit trail: " << e.what() << "\n";
    }
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
    wal_checkpointer_.stop();
    if (mail_sender_) mail_sender_->stop();
}

}  // namespace inkan::appliance
