// inkan serve: the HTTPS API until SIGINT / SIGTERM.
#include <csignal>
#include <filesystem>
#include <iostream>

#include "api/certificate_handlers.h"
#include "api/http_server.h"
#include "api/request_handlers.h"
#include "appliance/cli.h"
#include "appliance/audited.h"
#include "appliance/issuance_desk.h"
#include "appliance/operator_authority.h"
#include "common/error.h"

namespace inkan::appliance {
namespace {

void wait_for_stop_signal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
}

void run_serve(const GlobalOptions& global) {
    // Block the stop signals in every thread (Pistache's too); sigwait takes them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    Config config = load_config(global.state_dir, global.config_file);
    auto services = open_services(config);
    if (!std::filesystem::exists(config.tls_certificate_path())) {
        throw Error(ErrorCategory::NotFound, "tls_certificate_missing",
                    "no HTTPS certificate at " + config.tls_certificate_path().string() +
                        " (run `inkan init`)");
    }
    AuditLog audit(config.audit_log_path());
    OperatorAuthority core_authority(*services);
    AuditedAuthority authority(core_authority, audit);
    api::HttpServerConfig hc;
    hc.bind_address = config.http.bind_address;
    hc.operator_port = config.http.operator_port;
    hc.public_port = config.http.public_port;
    hc.tls_certificate_file = config.tls_certificate_path().string();
    hc.tls_key_file = config.tls_key_path().string();
    hc.client_ca_file = config.ca_certificate_path().string();
    hc.max_body_bytes = config.http.max_body_bytes;
    hc.threads = config.http.threads;
    api::HttpServer server(hc);
    ApplianceIssuanceDesk core_desk(*services->issuance, *services->policy);
    AuditedDesk desk(core_desk, audit);
    api::CertificateHandlers certificates(authority);
    api::PublicHandlers pub(authority);
    api::RequestHandlers requests(authority, desk, [&] {
        return config.http.effective_public_base_url(server.public_port());
    });
    api::RetrievalHandlers retrieval(desk);
    certificates.register_routes(server.operator_router());
    requests.register_routes(server.operator_router());
    pub.register_routes(server.public_router());
    retrieval.register_routes(server.public_router());
    server.start();
    std::cout << "inkan: operator API https://" << hc.bind_address << ":" << server.operator_port()
              << " (client certificate required)\n"
              << "inkan: public      https://" << hc.bind_address << ":" << server.public_port()
              << " (/healthz, /ca.pem, PIN and download URLs)\n"
              << std::flush;
    wait_for_stop_signal();
    std::cout << "inkan: stopping\n";
    server.stop();
}

}  // namespace

void add_serve_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* cmd = app.add_subcommand("serve", "run the HTTPS API (operator and public listeners)");
    cmd->callback([&global, &exit_code] {
        run_serve(global);
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
