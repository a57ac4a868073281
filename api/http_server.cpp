#include "api/http_server.h"

#include "api/browser_guard.h"
#include "api/request_guard.h"
#include "api/responder.h"
#include "common/error.h"

namespace inkan::api {

using namespace Pistache;

namespace {

std::unique_ptr<Http::Endpoint> make_endpoint(const HttpServerConfig& c, uint16_t port,
                                              Router& router, bool tls = true) {
    Address address(c.bind_address, Port(port));
    auto endpoint = std::make_unique<Http::Endpoint>(address);
    // The guard refuses bodies over max_body_bytes; Pistache's own buffer only
    // has to hold the head and that body.
    auto opts = Http::Endpoint::options()
                    .threads(c.threads)
                    .flags(Tcp::Options::ReuseAddr)
                    .maxRequestSize(c.max_body_bytes + kMaxRequestHeadBytes + 1024);
    endpoint->init(opts);
    endpoint->setHandler(std::make_shared<GuardedHandler>(router.handler(), c.max_body_bytes));
    if (tls) endpoint->useSSL(c.tls_certificate_file, c.tls_key_file);
    return endpoint;
}

// Runs for a request no route of its method matches, before the not-found
// handler: 405 when the path exists under another method.
Rest::Route::Handler method_not_allowed(const Router& router) {
    return [&router](const Rest::Request& request, Http::ResponseWriter writer) {
        std::vector<Http::Method> allowed = router.methods_for(request.resource());
        if (allowed.empty()) return Rest::Route::Result::Failure;
        std::string names;
        for (Http::Method m : allowed)
            names += std::string(names.empty() ? "" : ", ") + methodString(m);
        writer.headers().add<Http::Header::Allow>(allowed);
        send_json(writer, 405,
                  {{"code", "method_not_allowed"},
                   {"category", "invalid_input"},
                   {"message", std::string(methodString(request.method())) + " is not allowed on " +
                                   request.resource() + "; use " + names}});
        return Rest::Route::Result::Ok;
    };
}

}  // namespace

HttpServer::HttpServer(HttpServerConfig config)
    : config_(std::move(config)), tracing_(!config_.front_secret.empty(), config_.http_metrics) {
    const std::pair<Router*, Listener> routers[] = {{&operator_router_, Listener::Operator},
                                                    {&public_router_, Listener::Public},
                                                    {&publication_router_, Listener::Publication},
                                                    {&admin_router_, Listener::Admin}};
    for (const auto& [router, listener] : routers) {
        router->addCustomHandler(method_not_allowed(*router));
        router->addNotFoundHandler(
            tracing_.wrap(listener, "*", "(unmatched)",
                          [](const Rest::Request& request, Http::ResponseWriter writer) {
                              respond(writer, [&] {
                                  throw Error(ErrorCategory::NotFound, "not_found",
                                              "no such resource: " + request.resource() +
                                                  " (GET /openapi.json lists every route)");
                              });
                              return Rest::Route::Result::Ok;
                          }));
    }
    if (!config_.front_secret.empty()) {
        gate_ = std::make_unique<FrontGate>(config_.front_secret);
        for (auto* router : {&operator_router_, &public_router_, &publication_router_}) {
            router->addMiddleware(
                [gate = gate_.get()](Http::Request& request, Http::ResponseWriter& writer) {
                    return gate->admit(request, writer);
                });
        }
    }
    // Pages and API alike: the browser rules (api/browser_guard.h).
    for (auto* router : {&operator_router_, &public_router_}) {
        router->addMiddleware(add_security_headers);
        router->addMiddleware(refuse_cross_site);
    }
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
    try {
        const bool tls = !gate_;
        operator_endpoint_ = make_endpoint(config_, config_.operator_port, operator_router_, tls);
        // Default OpenSSL chain verification against our CA only.
        if (tls) operator_endpoint_->useSSLAuth(config_.client_ca_file, "", nullptr);
        public_endpoint_ = make_endpoint(config_, config_.public_port, public_router_, tls);
        publication_endpoint_ =
            make_endpoint(config_, config_.crl_port, publication_router_, false);
        if (config_.admin_listener) {
            HttpServerConfig admin = config_;
            admin.bind_address = "127.0.0.1";  // never reachable from outside
            admin.threads = 1;
            admin_endpoint_ = make_endpoint(admin, config_.admin_port, admin_router_, false);
        }
        operator_endpoint_->serveThreaded();
        public_endpoint_->serveThreaded();
        publication_endpoint_->serveThreaded();
        if (admin_endpoint_) admin_endpoint_->serveThreaded();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        stop();
        throw Error(ErrorCategory::Unavailable, "http_listen_failed",
                    "cannot start the HTTP listeners on " + config_.bind_address + ": " + e.what());
    }
}

void HttpServer::stop() {
    if (operator_endpoint_) operator_endpoint_->shutdown();
    if (public_endpoint_) public_endpoint_->shutdown();
    if (publication_endpoint_) publication_endpoint_->shutdown();
    if (admin_endpoint_) admin_endpoint_->shutdown();
    admin_endpoint_.reset();
    operator_endpoint_.reset();
    public_endpoint_.reset();
    publication_endpoint_.reset();
}

uint16_t HttpServer::operator_port() const {
    return operator_endpoint_ ? static_cast<uint16_t>(operator_endpoint_->getPort()) : 0;
}

uint16_t HttpServer::public_port() const {
    return public_endpoint_ ? static_cast<uint16_t>(public_endpoint_->getPort()) : 0;
}

uint16_t HttpServer::crl_port() const {
    return publication_endpoint_ ? static_cast<uint16_t>(publication_endpoint_->getPort()) : 0;
}

uint16_t HttpServer::admin_port() const {
    return admin_endpoint_ ? static_cast<uint16_t>(admin_endpoint_->getPort()) : 0;
}

}  // namespace inkan::api
