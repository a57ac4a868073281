// inkan serve: the HTTPS API and the plain-HTTP publication listener until SIGINT / SIGTERM.
#include <csignal>
#include <iostream>

#include "appliance/appliance_server.h"
#include "appliance/bootstrap.h"
#include "appliance/cli.h"

namespace inkan::appliance {
namespace {

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

void run_serve(const GlobalOptions& global) {
    // Block the stop signals in every thread (Pistache's too); sigwait takes them.
    sigset_t signals = stop_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Config config = load_config(global.state_dir, global.config_file);
    auto services = open_services(config);
    ensure_mail_signer(*services);  // state folders initialised before signed mails
    ApplianceServer server(*services);
    server.start();
    std::cout << "inkan: operator API https://" << config.http.bind_address << ":"
              << server.operator_port() << " (client certificate required)\n"
              << "inkan: public      https://" << config.http.bind_address << ":"
              << server.public_port() << " (/healthz, /ca.pem, PIN and download URLs)\n"
              << "inkan: publication http://" << config.http.bind_address << ":"
              << server.crl_port() << " (/crl/" << kCrlName << ".crl, /ca.crt, /ocsp)\n";
    if (server.metrics_port() != 0) {
        std::cout << "inkan: metrics     http://127.0.0.1:" << server.metrics_port()
                  << "/metrics (loopback admin listener)\n";
    }
    if (config.http.front == "nginx") {
        std::cout << "inkan: TLS front  nginx (" << (config.state_dir / "front").string()
                  << "), application on 127.0.0.1:" << server.app_operator_port() << ", "
                  << server.app_public_port() << ", " << server.app_crl_port() << "\n";
    }
    std::cout << std::flush;
    int signal = 0;
    sigwait(&signals, &signal);
    std::cout << "inkan: stopping\n";
    server.stop();
}

}  // namespace

void add_serve_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "serve",
        "run the HTTPS API (operator and public listeners) and the plain-HTTP CRL/OCSP listener");
    cmd->callback([&global, &exit_code] {
        run_serve(global);
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
