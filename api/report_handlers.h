#pragma once

#include "api/authority.h"
#include "api/file_stream.h"
#include "api/http_server.h"
#include "api/reports.h"
#include "api/route_table.h"

namespace inkan::api {

// GET /api/v1/export?subject=&subject_contains=&mail=&serial=&status=&encoding=utf-8
//     the certificate information download (ZIP, streamed)
// GET /api/v1/statistics[?format=json|csv]
class ReportHandlers {
  public:
    ReportHandlers(Authority& authority, Reports& reports)
        : authority_(authority), reports_(reports) {}
    void register_routes(Routes routes);

  private:
    void export_zip(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void statistics(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    Authority& authority_;
    Reports& reports_;
    FileStreamer streamer_;
};

}  // namespace inkan::api
