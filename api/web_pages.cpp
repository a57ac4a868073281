#include "api/web_pages.h"

#include "api/responder.h"
#include "common/error.h"
#include "web/web_assets.h"

namespace inkan::api {

using namespace Pistache;

namespace {

void send_asset(Http::ResponseWriter& writer, const std::string& name, bool page) {
    respond(writer, [&] {
        const web::Asset* asset = web::find_asset(name);
        if (!asset) {
            throw Error(ErrorCategory::NotFound, "web_file_not_found",
                        "no such page or file: " + name);
        }
        // Pages live at token URLs: never stored. Assets: revalidated each time.
        writer.headers().add<Http::Header::CacheControl>(page ? Http::CacheDirective::NoStore
                                                              : Http::CacheDirective::NoCache);
        send_bytes(writer, 200, std::string(asset->content_type), asset->bytes);
    });
}

Rest::Route::Handler page(const char* file) {
    return [file](const Rest::Request&, Http::ResponseWriter writer) {
        send_asset(writer, file, true);
        return Rest::Route::Result::Ok;
    };
}

Rest::Route::Result asset(const Rest::Request& req, Http::ResponseWriter writer) {
    auto name = req.param(":file").as<std::string>();
    // Pages are served at their own paths; /web/ holds CSS and scripts.
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".html") == 0) name.clear();
    send_asset(writer, name, false);
    return Rest::Route::Result::Ok;
}

}  // namespace

void WebPages::register_operator_routes(Routes r) {
    r.get("/", Access::Public, page("console.html"));
    r.get("/builder", Access::Public, page("builder.html"));
    r.get("/web/:file", Access::Public, asset);
}

void WebPages::register_public_routes(Routes r) {
    r.get("/", Access::Public, page("index.html"));
    r.get("/builder", Access::Public, page("builder.html"));
    r.get("/pin/:token", Access::Public, page("pin.html"));
    r.get("/download/:token/p12", Access::Public, page("retrieve.html"));
    r.get("/download/:token/zip", Access::Public, page("retrieve.html"));
    r.get("/download/:token/certificate", Access::Public, page("retrieve.html"));
    r.get("/web/:file", Access::Public, asset);
}

}  // namespace inkan::api
