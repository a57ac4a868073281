// Every routed request gets an id, a JSON log line and its metrics
// (README "Logs" and "Metrics"). RequestTracing::wrap puts a handler inside:
//  - the request id: the front's X-Request-Id (nginx $request_id) when this
//    server runs behind the front (its gate has already refused any request
//    without the front's secret, so the header is the front's), otherwise a
//    new random one; answered as X-Request-Id;
//  - a RequestContext for the handler's thread, which the responder fills
//    (status, problem code, the cause of a 500, whose incident id is the
//    request id);
//  - when the handler returns: one log line (request_id, listener, method,
//    route, status, duration_ms; error level with the cause for a 500) and the
//    HTTP metrics. Only the route's pattern is logged, never the path (PIN and
//    retrieval URLs carry secret tokens).
#pragma once

#include <pistache/router.h>

#include <string>

#include "api/route_table.h"
#include "metrics/http_metrics.h"

namespace inkan::api {

inline constexpr const char* kRequestIdHeader = "X-Request-Id";

struct RequestContext {
    std::string id;
    int status = 0;     // what the responder sent (0: nothing yet)
    std::string code;   // a problem's code
    std::string cause;  // a 500's cause (logged, never answered)
};

// The request this thread is handling, or null outside a traced handler.
RequestContext* current_request() noexcept;
// 32 hex characters from OpenSSL's CSPRNG (the shape of nginx's $request_id).
std::string new_request_id();

class RequestTracing {
  public:
    // metrics may be null (no metrics, e.g. unit tests).
    RequestTracing(bool trust_forwarded_id, metrics::HttpMetrics* metrics)
        : trust_forwarded_id_(trust_forwarded_id), metrics_(metrics) {}

    Pistache::Rest::Route::Handler wrap(Listener listener, std::string method, std::string route,
                                        Pistache::Rest::Route::Handler inner) const;

  private:
    std::string request_id(const Pistache::Rest::Request& request) const;
    bool trust_forwarded_id_;
    metrics::HttpMetrics* metrics_;
};

}  // namespace inkan::api
