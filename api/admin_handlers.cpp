#include "api/admin_handlers.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "api/form.h"
#include "api/responder.h"
#include "common/error.h"
#include "policy/request_rows.h"

namespace inkan::api {

using namespace Pistache;
using nlohmann::json;

namespace {

[[noreturn]] void bad_body(const std::string& what) {
    throw Error(ErrorCategory::InvalidInput, "body_malformed", what);
}

json body_of(const Rest::Request& req) {
    json body = json::parse(req.body(), nullptr, false);
    if (!body.is_object()) bad_body("send a JSON object (Content-Type: application/json)");
    return body;
}

std::string required_text(const json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
        bad_body(std::string("\"") + name + "\" (a non-empty string) is required");
    return it->get<std::string>();
}

std::optional<std::string> optional_text(const json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) bad_body(std::string("\"") + name + "\" must be a string");
    if (it->get<std::string>().empty()) return std::nullopt;
    return it->get<std::string>();
}

std::string name_param(const Rest::Request& req) {
    return url_decode(req.param(":name").as<std::string>());
}

std::string base64(ByteView data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                            static_cast<int>(data.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

json to_json(const policy::Institution& i) {
    json j = {{"name", i.name},
              {"state", i.state ? json(*i.state) : json(nullptr)},
              {"locality", i.locality ? json(*i.locality) : json(nullptr)},
              {"whois_names", i.whois_names},
              {"whois_source", policy::to_string(i.whois_source)},
              {"enabled_profiles", i.enabled_profiles},
              {"domains", json::array()}};
    for (const auto& d : i.domains) {
        j["domains"].push_back(
            {{"domain", d.domain}, {"approval_expires", policy::format_date(d.approval_expires)}});
    }
    return j;
}

json to_json(const OperatorView& o) {
    return {{"name", o.name},
            {"institution", o.institution},
            {"role", to_string(o.role)},
            {"email", o.email},
            {"certificate_serial_hex", o.certificate_serial_hex},
            {"certificate_status", o.certificate_status}};
}

}  // namespace

void AdminHandlers::register_routes(Routes r) {
    const Access admin = Access::ServiceAdmin;
    r.get("/api/v1/admin/institutions", admin,
          Rest::Routes::bind(&AdminHandlers::list_institutions, this));
    r.post("/api/v1/admin/institutions", admin,
           Rest::Routes::bind(&AdminHandlers::add_institution, this));
    r.get("/api/v1/admin/institutions/:name", admin,
          Rest::Routes::bind(&AdminHandlers::show_institution, this));
    r.post("/api/v1/admin/institutions/:name/domains", admin,
           Rest::Routes::bind(&AdminHandlers::approve_domain, this));
    r.post("/api/v1/admin/institutions/:name/locality", admin,
           Rest::Routes::bind(&AdminHandlers::set_locality, this));
    r.post("/api/v1/admin/institutions/:name/whois-names", admin,
           Rest::Routes::bind(&AdminHandlers::add_whois_name, this));
    r.get("/api/v1/admin/operators", admin,
          Rest::Routes::bind(&AdminHandlers::list_operators, this));
    r.post("/api/v1/admin/operators", admin,
           Rest::Routes::bind(&AdminHandlers::add_operator, this));
    r.post("/api/v1/admin/operators/:name/revoke", admin,
           Rest::Routes::bind(&AdminHandlers::revoke_operator, this));
}

void AdminHandlers::list_institutions(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        json all = json::array();
        for (const auto& i : admin_.list_institutions(who)) all.push_back(to_json(i));
        send_json(writer, 200, {{"institutions", all}});
    });
}

void AdminHandlers::add_institution(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        json body = body_of(req);
        policy::Institution i;
        i.name = required_text(body, "name");
        i.state = optional_text(body, "state");
        i.locality = optional_text(body, "locality");
        try {
            i.whois_names = body.value("whois_names", std::vector<std::string>{});
            auto profiles = body.value("profiles", std::vector<int>{});
            i.enabled_profiles = profiles.empty() ? policy::default_enabled_profiles()
                                                  : std::set<int>(profiles.begin(), profiles.end());
        } catch (const json::exception&) {
            bad_body("\"whois_names\" must be an array of strings, \"profiles\" of numbers");
        }
        i.whois_source = policy::WhoisSource::Registry;
        send_json(writer, 201, to_json(admin_.add_institution(who, i)));
    });
}

void AdminHandlers::show_institution(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        send_json(writer, 200, to_json(admin_.find_institution(who, name_param(req))));
    });
}

void AdminHandlers::approve_domain(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        json body = body_of(req);
        auto changed = admin_.approve_domain(who, name_param(req), required_text(body, "domain"),
                                             required_text(body, "until"));
        send_json(writer, 200, to_json(changed));
    });
}

void AdminHandlers::set_locality(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        json body = body_of(req);
        auto changed = admin_.set_locality(who, name_param(req), optional_text(body, "state"),
                                           optional_text(body, "locality"));
        send_json(writer, 200, to_json(changed));
    });
}

void AdminHandlers::add_whois_name(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        json body = body_of(req);
        auto changed =
            admin_.add_whois_name(who, name_param(req), required_text(body, "organisation"));
        send_json(writer, 200, to_json(changed));
    });
}

void AdminHandlers::list_operators(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        json all = json::array();
        for (const auto& o : admin_.list_operators(who)) all.push_back(to_json(o));
        send_json(writer, 200, {{"operators", all}});
    });
}

void AdminHandlers::add_operator(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        json body = body_of(req);
        const auto role_text = optional_text(body, "role").value_or("ra_operator");
        const auto role = parse_operator_role(role_text);
        if (!role) {
            throw Error(ErrorCategory::InvalidInput, "role_invalid",
                        "role must be ra_operator or service_admin, not '" + role_text + "'");
        }
        NewOperator op{required_text(body, "name"), required_text(body, "institution"),
                       required_text(body, "email"), *role};
        auto handed_over = admin_.add_operator(who, op);
        json out = to_json(handed_over.op);
        out["p12_base64"] = base64(handed_over.p12);
        out["p12_password"] = handed_over.password.str();
        send_json(writer, 201, out);
    });
}

void AdminHandlers::revoke_operator(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        json body = body_of(req);
        auto reason = body.find("reason");
        if (reason == body.end() || !reason->is_number_integer())
            bad_body("\"reason\" (1, 3, 4 or 5) is required");
        send_json(writer, 200,
                  to_json(admin_.revoke_operator(who, name_param(req), reason->get<int>())));
    });
}

}  // namespace inkan::api
