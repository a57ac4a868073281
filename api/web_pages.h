// The web pages (web/, embedded): static HTML and bundled JavaScript over the
// JSON API; nothing secret is rendered into a page on the server (a token page
// reads its token from its own URL). README "Web pages".
//   operator listener: GET /            RA operator console
//   public listener:   GET /            start page (links to the builder)
//   both:              GET /builder     request-file builder (server check on the operator one)
//                      GET /pin/:token  PIN page (asks for confirmation; the PINs
//                                       come from POST /pin/:token)
//                      GET /download/:token/p12|zip|certificate  retrieval page
//   both:              GET /web/:file   the pages' CSS and JavaScript
#pragma once

#include <pistache/router.h>

#include "api/route_table.h"

namespace inkan::api {

class WebPages {
  public:
    void register_operator_routes(Routes routes);
    void register_public_routes(Routes routes);
};

}  // namespace inkan::api
