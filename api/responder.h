// Helpers every handler uses: run the handler body, translate any error once
// (api/problem.h), write JSON or bytes, and get the operator's certificate
// from the TLS session.
#pragma once

#include <pistache/http.h>
#include <pistache/router.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/authority.h"

namespace inkan::api {

using Pistache::Http::ResponseWriter;
using Pistache::Rest::Request;

// Runs body; an inkan::Error or any exception becomes a JSON problem response.
void respond(ResponseWriter& writer, const std::function<void()>& body);

void send_json(ResponseWriter& writer, int status, const nlohmann::json& body);
// RFC 9110 Retry-After in seconds (a 503, or a 202 whose work goes on).
void add_retry_after(ResponseWriter& writer, int seconds);
void send_bytes(ResponseWriter& writer, int status, const std::string& content_type,
                std::string_view bytes, const std::string& filename = "");

// Authenticates the RA operator of this request (throws Error otherwise): the
// client certificate of Pistache's TLS session, or, on the plain-HTTP listener
// behind the TLS front, the one the front verified and forwarded (api/front_gate.h;
// the gate has refused every request without the front's secret before routing).
OperatorIdentity authenticate(const Request& request, ResponseWriter& writer, Authority& authority);

nlohmann::json to_json(const CertificateView& view);

}  // namespace inkan::api
