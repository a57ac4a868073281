#include "api/openapi_handlers.h"

#include "api/openapi_document.h"
#include "api/responder.h"

namespace inkan::api {

std::string_view openapi_document() { return generated::kOpenApiJson; }

nlohmann::json openapi_for(Listener listener) {
    auto doc = nlohmann::json::parse(openapi_document());
    if (listener == Listener::Operator) return doc;
    nlohmann::json paths = nlohmann::json::object();
    for (auto& [path, item] : doc["paths"].items()) {
        for (const auto& l : item.value("x-inkan-listeners", nlohmann::json::array())) {
            if (l != to_string(Listener::Operator) && l != to_string(Listener::Admin)) {
                paths[path] = item;
                break;
            }
        }
    }
    doc["paths"] = paths;
    doc["servers"] = nlohmann::json::array({{{"url", "/"}}});
    doc.erase("security");
    return doc;
}

void OpenApiHandlers::register_routes(Routes r) {
    r.get("/openapi.json", r.listener() == Listener::Operator ? Access::Operator : Access::Public,
          [doc = openapi_for(r.listener()).dump(2)](const Pistache::Rest::Request&,
                                                    Pistache::Http::ResponseWriter w) {
              send_bytes(w, 200, "application/json", doc);
              return Pistache::Rest::Route::Result::Ok;
          });
}

}  // namespace inkan::api
