#include "api/route_table.h"

#include "api/client_address.h"
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
    }
    return "operator";
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
    Pistache::Rest::Routes::Get(router_, path, gated(access, std::move(handler)));
    record("GET", path, access);
}

void Routes::post(const std::string& path, Access access, Pistache::Rest::Route::Handler handler) {
    Pistache::Rest::Routes::Post(router_, path, gated(access, std::move(handler)));
    record("POST", path, access);
}

void Routes::record(const std::string& method, const std::string& path, Access access) {
    if (table_) table_->add({listener_, method, path, access});
}

Pistache::Rest::Route::Handler Routes::gated(Access access,
                                             Pistache::Rest::Route::Handler handler) {
    if (!authority_) return handler;
    Authority* authority = authority_;
    return [access, authority, handler = std::move(handler)](
               const Pistache::Rest::Request request, Pistache::Http::ResponseWriter writer) {
        RequestScope scope(client_address_of(request, writer));
        if (access == Access::Public) return handler(request, std::move(writer));
        bool admitted = false;
        respond(writer, [&] {
            OperatorIdentity who = authenticate(request, writer, *authority);
            if (access == Access::ServiceAdmin && who.role != "service_admin") {
                throw Error(ErrorCategory::Forbidden, "service_admin_only",
                            "this function is for service admins only");
            }
            scope.admit(std::move(who));
            admitted = true;
        });
        if (!admitted) return Pistache::Rest::Route::Result::Ok;
        return handler(request, std::move(writer));
    };
}

}  // namespace inkan::api
