#include "api/route_table.h"

namespace inkan::api {

const char* to_string(Listener listener) noexcept {
    switch (listener) {
        case Listener::Operator:
            return "operator";
        case Listener::Public:
            return "public";
        case Listener::Publication:
            return "publication";
    }
    return "operator";
}

void Routes::get(const std::string& path, Pistache::Rest::Route::Handler handler) {
    Pistache::Rest::Routes::Get(router_, path, std::move(handler));
    record("GET", path);
}

void Routes::post(const std::string& path, Pistache::Rest::Route::Handler handler) {
    Pistache::Rest::Routes::Post(router_, path, std::move(handler));
    record("POST", path);
}

void Routes::record(const std::string& method, const std::string& path) {
    if (table_) table_->add({listener_, method, path});
}

}  // namespace inkan::api
