#include "api/route_table.h"

#include <cstring>

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

void Router::add(Pistache::Http::Method method, const std::string& path,
                 Pistache::Rest::Route::Handler handler) {
    addRoute(method, path, handler);
    // Pistache's tree keeps string_views into a buffer its owner shares.
    std::string clean = Pistache::Rest::SegmentTreeNode::sanitizeResource(path);
    std::shared_ptr<char> buffer(new char[clean.size()], std::default_delete<char[]>());
    std::memcpy(buffer.get(), clean.data(), clean.size());
    trees_[method].addRoute(std::string_view(buffer.get(), clean.size()), handler, buffer);
}

std::vector<Pistache::Http::Method> Router::methods_for(const std::string& resource) const {
    std::string path =
        Pistache::Rest::SegmentTreeNode::sanitizeResource(resource.substr(0, resource.find('?')));
    std::vector<Pistache::Http::Method> out;
    for (const auto& [method, tree] : trees_) {
        if (std::get<0>(tree.findRoute(path)) != nullptr) out.push_back(method);
    }
    return out;
}

Pistache::Rest::Route::Handler Routes::traced(const std::string& method, const std::string& path,
                                              Pistache::Rest::Route::Handler handler) const {
    return tracing_ ? tracing_->wrap(listener_, method, path, std::move(handler)) : handler;
}

void Routes::get(const std::string& path, Pistache::Rest::Route::Handler handler) {
    router_.add(Pistache::Http::Method::Get, path, traced("GET", path, std::move(handler)));
    record("GET", path);
}

void Routes::post(const std::string& path, Pistache::Rest::Route::Handler handler) {
    router_.add(Pistache::Http::Method::Post, path, traced("POST", path, std::move(handler)));
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
