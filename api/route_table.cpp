#include "api/route_table.h"

#include "api/request_tracing.h"

namespace inkan::api {

const char* to_string(Listener listener) noexcept {
    switch (listener) {
        case Listener::Operator:
            return "operator";
        case Listener::Public:
            return "public";
        case Listener::Publication:
            return "publication";
        case Listener::Admin:
            return "admin";
    }
    return "operator";
}

Pistache::Rest::Route::Handler Routes::traced(const std::string& method, const std::string& path,
                                              Pistache::Rest::Route::Handler handler) const {
    return tracing_ ? tracing_->wrap(listener_, method, path, std::move(handler)) : handler;
}

void Routes::get(const std::string& path, Pistache::Rest::Route::Handler handler) {
    Pistache::Rest::Routes::Get(router_, path, traced("GET", path, std::move(handler)));
    record("GET", path);
}

void Routes::post(const std::string& path, Pistache::Rest::Route::Handler handler) {
    Pistache::Rest::Routes::Post(router_, path, traced("POST", path, std::move(handler)));
    record("POST", path);
}

void Routes::fallback(const std::string& method, const std::string& path,
                      Pistache::Rest::Route::Handler handler) {
    router_.addNotFoundHandler(traced(method, path, std::move(handler)));
    record(method, path);
}

void Routes::record(const std::string& method, const std::string& path) {
    if (table_) table_->add({listener_, method, path});
}

}  // namespace inkan::api
