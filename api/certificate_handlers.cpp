#include "api/certificate_handlers.h"

#include "api/certificate_query.h"
#include "api/responder.h"
#include "common/error.h"

namespace inkan::api {

using namespace Pistache;

namespace {

int profile_param(const Rest::Request& req) {
    auto p = req.query().get("profile");
    if (!p) return 5;
    try {
        size_t used = 0;
        int id = std::stoi(*p, &used);
        if (used == p->size()) return id;
    } catch (const std::exception&) {
    }
    throw Error(ErrorCategory::InvalidInput, "profile_invalid",
                "query parameter 'profile' must be a profile id such as 5");
}

bool wants_pem(const Rest::Request& req) {
    auto f = req.query().get("format");
    return f && *f == "pem";
}

}  // namespace

void CertificateHandlers::register_routes(Routes r) {
    r.post("/api/v1/certificates", Access::Operator,
           Rest::Routes::bind(&CertificateHandlers::issue, this));
    r.get("/api/v1/certificates", Access::Operator,
          Rest::Routes::bind(&CertificateHandlers::list, this));
    r.get("/api/v1/certificates/:serial", Access::Operator,
          Rest::Routes::bind(&CertificateHandlers::show, this));
}

void CertificateHandlers::issue(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        const std::string& body = req.body();
        if (body.empty()) {
            throw Error(ErrorCategory::InvalidInput, "csr_missing",
                        "the request body must be a PKCS#10 CSR in PEM or DER");
        }
        auto view = authority_.issue_from_csr(who, as_bytes(body), profile_param(req));
        if (wants_pem(req)) {
            send_bytes(writer, 201, "application/pem-certificate-chain", view.pem);
        } else {
            send_json(writer, 201, to_json(view));
        }
    });
}

void CertificateHandlers::show(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto view = authority_.find_certificate(who, req.param(":serial").as<std::string>());
        if (wants_pem(req)) {
            send_bytes(writer, 200, "application/pem-certificate-chain", view.pem);
        } else {
            send_json(writer, 200, to_json(view));
        }
    });
}

void CertificateHandlers::list(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto page = authority_.list_certificates(who, parse_certificate_query(req, true).query);
        nlohmann::json items = nlohmann::json::array();
        for (const auto& v : page.certificates) items.push_back(to_json(v));
        nlohmann::json next = nullptr;
        if (page.offset + page.certificates.size() < page.total)
            next = page.offset + page.certificates.size();
        send_json(writer, 200,
                  {{"certificates", items},
                   {"total", page.total},
                   {"limit", page.limit},
                   {"offset", page.offset},
                   {"next_offset", next}});
    });
}

void PublicHandlers::register_routes(Routes r) {
    r.get("/healthz", Access::Public, [this](const Rest::Request&, Http::ResponseWriter w) {
        respond(w, [&] {
            HsmReport hsm = health_.hsm(false);
            nlohmann::json body = {{"status", hsm.available ? "ok" : "degraded"},
                                   {"hsm", hsm.available ? "ok" : "unavailable"},
                                   {"hsm_reconnections", hsm.reconnections}};
            if (!hsm.available) body["hsm_reason"] = hsm.reason;
            send_json(w, 200, body);
        });
        return Rest::Route::Result::Ok;
    });
    r.get("/readyz", Access::Public, [this](const Rest::Request&, Http::ResponseWriter w) {
        respond(w, [&] {
            HsmReport hsm = health_.hsm(true);
            if (hsm.available) {
                send_json(w, 200, {{"status", "ready"}, {"hsm", "ok"}});
                return;
            }
            throw Error(ErrorCategory::HsmUnavailable, "hsm_unavailable",
                        "not ready: the HSM is unavailable (" + hsm.reason +
                            "); the appliance reconnects by itself (README \"HSM faults\")",
                        hsm.retry_after_seconds);
        });
        return Rest::Route::Result::Ok;
    });
    r.get("/ca.pem", Access::Public, [this](const Rest::Request&, Http::ResponseWriter w) {
        respond(w, [&] {
            send_bytes(w, 200, "application/x-pem-file", authority_.ca_certificate_pem());
        });
        return Rest::Route::Result::Ok;
    });
}

}  // namespace inkan::api
