#include "api/metrics_handlers.h"

#include "api/responder.h"

namespace inkan::api {

void MetricsHandlers::register_routes(Routes r) {
    r.get("/metrics", Access::Public,
          [this](const Pistache::Rest::Request&, Pistache::Http::ResponseWriter w) {
              respond(w, [&] {
                  send_bytes(w, 200, "text/plain; version=0.0.4; charset=utf-8",
                             registry_.exposition());
              });
              return Pistache::Rest::Route::Result::Ok;
          });
}

}  // namespace inkan::api
