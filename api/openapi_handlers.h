// GET /openapi.json: the OpenAPI 3.1 document (api/openapi.json, embedded at
// build time). The operator listener serves every path; the public listener
// the paths of the public and publication listeners (x-inkan-listeners).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "api/route_table.h"

namespace inkan::api {

// The document as it is in the repository.
std::string_view openapi_document();
// The document a listener serves.
nlohmann::json openapi_for(Listener listener);

class OpenApiHandlers {
  public:
    void register_routes(Routes routes);
};

}  // namespace inkan::api
