#include "api/report_handlers.h"

#include "api/certificate_query.h"
#include "api/responder.h"
#include "common/error.h"

namespace inkan::api {

using namespace Pistache;

namespace {

ExportEncoding encoding_of(const std::map<std::string, std::string>& extra) {
    auto it = extra.find("encoding");
    if (it == extra.end() || it->second == "shift_jis" || it->second == "cp932")
        return ExportEncoding::ShiftJis;
    if (it->second == "utf-8" || it->second == "utf8") return ExportEncoding::Utf8;
    throw Error(ErrorCategory::InvalidInput, "encoding_invalid",
                "query parameter 'encoding' must be utf-8 or shift_jis (the default)");
}

}  // namespace

void ReportHandlers::register_routes(Routes r) {
    r.get("/api/v1/export", Access::Operator,
          Rest::Routes::bind(&ReportHandlers::export_zip, this));
    r.get("/api/v1/statistics", Access::Operator,
          Rest::Routes::bind(&ReportHandlers::statistics, this));
}

void ReportHandlers::export_zip(const Rest::Request& req, Http::ResponseWriter writer) {
    std::unique_ptr<ExportArchive> archive;
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto parsed = parse_certificate_query(req, false, {"encoding"});
        archive = reports_.export_certificates(who, parsed.query, encoding_of(parsed.extra));
    });
    // Errors so far were answered as JSON problems; from here on the ZIP streams.
    if (archive) streamer_.start(writer, std::move(archive), "application/zip", "certificates.zip");
}

void ReportHandlers::statistics(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto format = StatisticsFormat::Json;
        for (auto it = req.query().parameters_begin(); it != req.query().parameters_end(); ++it) {
            if (it->first != "format") {
                throw Error(ErrorCategory::InvalidInput, "query_parameter_unknown",
                            "unknown query parameter '" + it->first + "'; use format=json|csv");
            }
            if (it->second == "csv")
                format = StatisticsFormat::Csv;
            else if (it->second != "json")
                throw Error(ErrorCategory::InvalidInput, "format_invalid",
                            "query parameter 'format' must be json or csv");
        }
        auto body = reports_.statistics(who, format);
        if (format == StatisticsFormat::Csv) {
            send_bytes(writer, 200, "text/csv; charset=utf-8", body, "statistics.csv");
        } else {
            send_bytes(writer, 200, "application/json", body);
        }
    });
}

}  // namespace inkan::api
