// Two TLS listeners and one plain-HTTP listener (Pistache):
//  - the operator endpoint requires a client certificate that chains to our CA
//    (Pistache's useSSLAuth refuses a handshake without one);
//  - the public endpoint has no client authentication: CA certificate,
//    health, PIN and download URLs;
//  - the publication endpoint is plain HTTP (CRL, CA certificate, OCSP): relying
//    parties fetch them while validating certificates, so no TLS loop.
// Behind the TLS front (front_secret set) all three are plain HTTP on loopback and
// answer only requests carrying the front's secret (api/front_gate.h).
// Handlers register their routes before start(). Every request passes the
// request guard first (api/request_guard.h: framing checked, body limit, JSON
// refusals); a request no route matches gets 405 JSON with Allow when another
// method has that path, else the problem not_found (unless the listener has
// its own fallback route). A fourth, optional listener is the loopback admin
// listener (GET /metrics): plain HTTP on 127.0.0.1, never behind the front.
// Routes registered through Routes with tracing() are traced
// (api/request_tracing.h).
#pragma once

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include <cstdint>
#include <memory>
#include <string>

#include "api/front_gate.h"
#include "api/request_tracing.h"
#include "api/route_table.h"
#include "metrics/http_metrics.h"

namespace inkan::api {

struct HttpServerConfig {
    std::string bind_address = "127.0.0.1";
    uint16_t operator_port = 8443;  // 0 = any free port (tests)
    uint16_t public_port = 8444;
    uint16_t crl_port = 8080;          // plain HTTP
    std::string tls_certificate_file;  // server certificate chain, PEM
    std::string tls_key_file;          // server key, PEM (see README: not in the HSM)
    std::string client_ca_file;        // CA that issued operator certificates
    size_t max_body_bytes = 16 * 1024 * 1024;
    int threads = 2;
    // Non-empty: behind the TLS front. No TLS here; the gate requires this secret
    // and the operator's certificate comes from the front's header.
    std::string front_secret;
    // The admin listener (127.0.0.1 only; 0 = any free port) and where request
    // metrics go (null: none).
    bool admin_listener = false;
    uint16_t admin_port = 9464;
    metrics::HttpMetrics* http_metrics = nullptr;
};

class HttpServer {
  public:
    explicit HttpServer(HttpServerConfig config);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    Router& operator_router() { return operator_router_; }
    Router& public_router() { return public_router_; }
    Router& publication_router() { return publication_router_; }
    Router& admin_router() { return admin_router_; }
    const RequestTracing& tracing() const { return tracing_; }

    void start();  // returns once every endpoint listens
    void stop();
    uint16_t operator_port() const;
    uint16_t public_port() const;
    uint16_t crl_port() const;
    uint16_t admin_port() const;  // 0 without the admin listener

  private:
    HttpServerConfig config_;
    Router operator_router_;
    Router public_router_;
    Router publication_router_;
    Router admin_router_;
    std::unique_ptr<FrontGate> gate_;  // null without the front
    RequestTracing tracing_;
    std::unique_ptr<Pistache::Http::Endpoint> operator_endpoint_;
    std::unique_ptr<Pistache::Http::Endpoint> public_endpoint_;
    std::unique_ptr<Pistache::Http::Endpoint> publication_endpoint_;
    std::unique_ptr<Pistache::Http::Endpoint> admin_endpoint_;
};

}  // namespace inkan::api
