// The TLS front (README "TLS front"): Debian's nginx terminates TLS for the
// operator and public listeners, proxies the publication listener, and bounds
// handshakes, headers, bodies, connections and request rates; the application
// listens on loopback plain HTTP behind it (api/front_gate.h). Its
// configuration is generated from inkan's own (one source of truth) into
// <state>/front/nginx.conf (mode 0600: it holds the front secret), and
// `inkan serve` runs it as a child process, unprivileged, every path inside
// the state folder.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "appliance/config.h"

namespace inkan::appliance {

// What nginx listens on, proxies to and presents.
struct FrontPlan {
    std::filesystem::path dir;  // <state>/front: config, pid, logs, temp files
    std::string bind_address;
    uint16_t operator_port = 0;  // the front's ports (http.*_port)
    uint16_t public_port = 0;
    uint16_t crl_port = 0;
    uint16_t app_operator_port = 0;  // the application's loopback listeners
    uint16_t app_public_port = 0;
    uint16_t app_crl_port = 0;
    std::string certificate_file;  // server certificate chain, PEM
    std::string key_file;
    std::string client_ca_file;  // operators' certificates must chain to it
    std::string secret;          // the X-Inkan-Front value (api/front_gate.h)
    size_t max_body_bytes = 0;
    int timeout_seconds = 10;
    int requests_per_second = 20;
    int connections_per_client = 32;
};

// The plan for this configuration and the application's actual loopback ports.
FrontPlan front_plan(const Config& config, uint16_t app_operator_port, uint16_t app_public_port,
                     uint16_t app_crl_port, std::string secret);

// 64 hex characters from OpenSSL's CSPRNG; a new one at every start.
std::string new_front_secret();

std::string render_nginx_conf(const FrontPlan& plan);

// Writes <dir>/nginx.conf (0600) and starts `nginx -p <dir> -e <dir>/error.log
// -c <dir>/nginx.conf` in the foreground; returns once the front accepts
// connections on its public port. Stops it (SIGTERM, then SIGKILL) when
// destroyed. Throws Error(Unavailable, "front_start_failed") with the tail of
// nginx's error log, Error(NotFound, "nginx_missing") without nginx.
class NginxFront {
  public:
    NginxFront(const std::string& nginx_binary, const FrontPlan& plan);
    ~NginxFront();
    NginxFront(const NginxFront&) = delete;
    NginxFront& operator=(const NginxFront&) = delete;

  private:
    void stop() noexcept;
    pid_t pid_ = -1;
};

}  // namespace inkan::appliance
