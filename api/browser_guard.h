// What every answer to a browser carries, and the CSRF rule of every
// state-changing request (README "Web pages"): both are Pistache middlewares
// the HTTP server puts in front of the operator and public routers.
//
// Security headers: a CSP that allows scripts and styles from this origin only
// (no inline script), no framing, no referrer (the token URLs must not leak to
// another site), no MIME sniffing.
//
// CSRF: a POST is refused (403 cross_site_request) when the browser says it
// comes from another site: Sec-Fetch-Site other than same-origin or none, or,
// for browsers that do not send it, an Origin whose host:port is not the Host
// the request was sent to. Clients that are not browsers (curl, `inkan request
// submit`) send neither header and are no CSRF vector, so the JSON/TSV API is
// unchanged for them. This protects the operator listener, where the browser
// presents the client certificate on its own, and the public one alike; the
// pages are static (no secret or per-page token rendered on the server).
#pragma once

#include <pistache/http.h>

namespace inkan::api {

inline constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

// Adds the headers and lets every request through.
bool add_security_headers(Pistache::Http::Request& request, Pistache::Http::ResponseWriter& writer);

// False (and answered 403) for a cross-site state-changing request.
bool refuse_cross_site(Pistache::Http::Request& request, Pistache::Http::ResponseWriter& writer);

// The rule itself (tests): may a request with these headers change state?
// Empty strings stand for absent headers.
bool same_site_or_not_a_browser(const std::string& method, const std::string& sec_fetch_site,
                                const std::string& origin, const std::string& host);

}  // namespace inkan::api
