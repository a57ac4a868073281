// Behind the TLS front (README "TLS front"): nginx terminates TLS and proxies to
// the application's plain-HTTP listeners on loopback. Every request it forwards
// carries the front secret (generated at each `inkan serve` start, known only
// to nginx's 0600 config and this process); the gate refuses any request
// without it before routing, so a forwarded client certificate is believed only
// from the front. Pistache 0.0.5 listens on IP addresses only (no unix socket
// that file permissions could guard), hence the shared secret.
#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <string>

#include "common/openssl_ptr.h"

namespace inkan::api {

inline constexpr const char* kFrontSecretHeader = "X-Inkan-Front";
// nginx's $ssl_client_escaped_cert (URL-escaped PEM) and $ssl_client_verify.
inline constexpr const char* kClientCertificateHeader = "X-Inkan-Client-Certificate";
inline constexpr const char* kClientVerifyHeader = "X-Inkan-Client-Verify";

class FrontGate {
  public:
    explicit FrontGate(std::string secret);
    // Pistache middleware: true lets the request through; false has answered 403.
    bool admit(Pistache::Http::Request& request, Pistache::Http::ResponseWriter& writer) const;

  private:
    std::string secret_;
};

// The client certificate the front verified, from a request the gate admitted.
// Throws Error(Unauthorized) when the front forwarded none or did not verify it.
X509Ptr forwarded_client_certificate(const Pistache::Http::Request& request);

}  // namespace inkan::api
