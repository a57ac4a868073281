#include "api/route_table.h"

#include <cstring>

#include "api/client_address.h"
#include "api/request_tracing.h"
#include "api/responder.h"
#include "common/error.h"

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

const char* to_string(Access access) noexcept {
    switch (access) {
        case Access::Public:
            return "public";
        case Access::Operator:
            return "operator";
        case Access::ServiceAdmin:
            return "service_admin";
    }
    return "service_admin";
}

void Routes::get(const std::string& path, Access access, Pistache::Rest::Route::Handler handler) {
    router_.add(Pistache::Http::Method::Get, path,
                traced("GET", path, gated(access, std::move(handler))));
    record("GET", path, access);
}

void Routes::post(const std::string& path, Access access, Pistache::Rest::Route::Handler handler) {
    router_.add(Pistache::Http::Method::Post, path,
                traced("POST", path, gated(access, std::move(handler))));
    record("POST", path, access);
}

void Routes::fallback(const std::string& method, const std::string& path, Access access,
                      Pistache::Rest::Route::Handler handler) {
    router_.addNotFoundHandler(traced(method, path, gated(access, std::move(handler))));
    record(method, path, access);
}

void Routes::record(const std::string& method, const std::string& path, Access access) {
    if (table_) table_->add({listener_, method, path, access});
}

Pistache::Rest::Route::Handler Routes::gated(Access access,
                                             Pistache::Rest::Route::Handler handler) {
    if (!authority_) return handler;
    Authority* authority = authority_;
    // The request is moved on, never copied: an upload's body can be 16 MiB.
    return [access, authority, handler = std::move(handler)](
               Pistache::Rest::Request request, Pistache::Http::ResponseWriter writer) {
        RequestScope scope(client_address_of(request, writer));
        if (access == Access::Public) return handler(std::move(request), std::move(writer));
        bool admitted = false;
        respond(writer, [&] {
            OperatorIdentity who = authenticate(request, writer, *authority);
            if (access == Access::ServiceAdmin && who.role != OperatorRole::ServiceAdmin) {
                throw Error(ErrorCategory::Forbidden, "service_admin_only",
                            "this function is for service admins only");
            }
            scope.admit(std::move(who));
            admitted = true;
        });
        if (!admitted) return Pistache::Rest::Route::Result::Ok;
        return handler(std::move(request), std::move(writer));
    };
}

}  // namespace inkan::api
