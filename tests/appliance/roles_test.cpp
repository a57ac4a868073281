// Roles per endpoint (issue 13, README "Roles per endpoint"): every route the
// three listeners register × every caller (an RA operator of institution A, an
// RA operator of institution B, a service admin, no certificate) against a
// resource of institution A, through real HTTPS on loopback. A route missing
// from the table below fails the test, so a new route must state its answers.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;
using test::path_of;

namespace {

const std::string kOther = "Other University";

enum class Caller { OperatorA, OperatorB, Admin, None };
const char* name_of(Caller c) {
    switch (c) {
        case Caller::OperatorA:
            return "RA operator of A";
        case Caller::OperatorB:
            return "RA operator of B";
        case Caller::Admin:
            return "service admin";
        case Caller::None:
            return "no certificate";
    }
    return "?";
}

// One call: what to send, and what each caller gets. `marker` (if set): text
// of institution A's resource that an allowed answer shows and a caller of
// another institution must not see (a list scoped to its own institution).
// `code` (if set): the JSON problem's code, which tells "not yours" (404
// batch_not_found) from "yours, but not in that state".
struct Expect {
    int status;
    bool sees_marker = false;
    std::string code = {};
};
struct Call {
    std::string path;                               // concrete, with A's resource
    std::function<std::string(Caller)> body = {};   // per caller (unique subjects)
    std::string content_type = "application/json";  // of the body; "" sends none
    std::string marker;
    std::map<Caller, Expect> expect;
    // The text the marker is looked for in (a binary answer's rendering); the body if unset.
    std::function<std::string(const std::string&)> text_of = {};
};

// RFC 6960 appendix A.1: the DER file's base64, URL-encoded, as the GET path's last segment.
std::string url_encoded_base64(const std::filesystem::path& der_file) {
    return test::percent_encode_base64(test::run("base64 -w0 " + der_file.string()).output);
}

// The order callers are walked in: a caller that changes A's resource comes last.
const Caller kCallers[] = {Caller::None, Caller::OperatorB, Caller::Admin, Caller::OperatorA};

class Roles : public ::testing::Test {
  protected:
    test::ApplianceFixture f{test::ApplianceOptions{.issuance = true}};
    test::TempDir work;
    test::ClientCredential op_b;
    test::ClientCredential admin;
    std::string batch_id;
    std::string serial;  // decimal, issued to A by CSR

    void SetUp() override {
        f.add_institution(kOther, "other.ac.jp");
        op_b = f.add_operator("op-b", kOther);
        admin = f.add_operator("admin", "Service Desk", store::OperatorRole::ServiceAdmin);
        f.add_operator("leaving-op", kOther);
        auto issued = f.operator_client().post("/api/v1/certificates", csr("a1"));
        ASSERT_EQ(issued.status, 201) << issued.body;
        serial = json::parse(issued.body)["serial"];
        auto upload =
            f.operator_client().post("/api/v1/requests?action=issue",
                                     test::row("row1.example.ac.jp"), "text/tab-separated-values");
        ASSERT_EQ(upload.status, 201) << upload.body;
        batch_id = json::parse(upload.body)["batch_id"];
    }

    // A PKCS#10 for CN=<cn>.example.ac.jp in institution A.
    std::string csr(const std::string& cn) {
        auto key = (work / (cn + ".key")).string();
        auto out = (work / (cn + ".csr")).string();
        test::sh_ok("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                    key + " -out " + out + " -subj '/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example " +
                    "University/CN=" + cn + ".example.ac.jp'");
        return test::read_file(out);
    }

    test::HttpResponse send(api::Listener listener, const std::string& method, const Call& call,
                            Caller caller) {
        std::string body = call.body ? call.body(caller) : "";
        if (listener == api::Listener::Publication || listener == api::Listener::Admin) {
            // Both plain HTTP: the publication listener and the loopback admin one.
            const std::string base =
                listener == api::Listener::Admin
                    ? "http://127.0.0.1:" + std::to_string(f.server().metrics_port())
                    : f.crl_base_url();
            auto out = work / "publication-body";
            std::string send_body;
            if (!body.empty()) {
                auto in = work / "publication-request";
                test::write_file(in, body);
                send_body = " -H 'Content-Type: " + call.content_type + "' --data-binary @" +
                            in.string() + " ";
            }
            auto r = test::run("curl -s -X " + method + send_body + " -o " + out.string() +
                               " -w '%{http_code}' " + base + call.path);
            test::HttpResponse response;
            response.status = std::atoi(r.output.c_str());
            response.body = test::read_file(out);
            return response;
        }
        test::HttpsClient client =
            listener == api::Listener::Public ? f.public_client() : f.anonymous_operator_client();
        if (caller == Caller::OperatorA) {
            client.client_cert_file = f.operator_credential().cert_path.string();
            client.client_key_file = f.operator_credential().key_path.string();
        } else if (caller == Caller::OperatorB || caller == Caller::Admin) {
            const auto& c = caller == Caller::OperatorB ? op_b : admin;
            client.client_cert_file = c.cert_path.string();
            client.client_key_file = c.key_path.string();
        }
        if (method == "GET") return client.get(call.path);
        return client.request(method, call.path, body, call.content_type);
    }

    // A DER OCSP request (no nonce) for A's certificate `serial`.
    std::filesystem::path ocsp_request_file() { return work / "ocsp-request.der"; }
    std::string ocsp_request() {
        auto der = ocsp_request_file();
        auto r = test::run("openssl ocsp -issuer " + f.config().ca_certificate_path().string() +
                           " -serial " + serial + " -no_nonce -reqout " + der.string() + " 2>&1");
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return test::read_file(der);
    }

    // Every route, by "<listener> <METHOD> <pistache path>".
    std::map<std::string, Call> table() {
        const Expect denied_tls{0};  // the operator listener ends the handshake
        const Expect forbidden{403};
        const Expect not_found{404};
        auto everyone = [](Expect e) {
            return std::map<Caller, Expect>{{Caller::OperatorA, e},
                                            {Caller::OperatorB, e},
                                            {Caller::Admin, e},
                                            {Caller::None, e}};
        };
        auto operators = [&](Expect a, Expect b, Expect adm) {
            return std::map<Caller, Expect>{{Caller::OperatorA, a},
                                            {Caller::OperatorB, b},
                                            {Caller::Admin, adm},
                                            {Caller::None, denied_tls}};
        };
        auto admin_only = [&](Expect adm) { return operators(forbidden, forbidden, adm); };
        const std::string bogus = std::string(43, 'A');
        const std::string batch = "/api/v1/requests/" + batch_id;
        const std::string inst = "/api/v1/admin/institutions/Example%20University";
        int csr_count = 0;
        auto json_body = [](json j) { return [j](Caller) { return j.dump(); }; };

        std::map<std::string, Call> t;
        // Operator listener: the RA operator's own institution; a service admin every one.
        t["operator POST /api/v1/certificates"] = {
            "/api/v1/certificates",
            [this, csr_count](Caller c) mutable {
                return csr("c" + std::to_string(static_cast<int>(c)) + "-" +
                           std::to_string(++csr_count));
            },
            "application/pkcs10", "",
            operators({201}, {403}, {201})};  // B: O=A is institution_mismatch
        t["operator GET /api/v1/certificates"] = {"/api/v1/certificates?serial=" + serial,
                                                  {},
                                                  "",
                                                  serial,
                                                  operators({200, true}, {200}, {200, true})};
        t["operator GET /api/v1/certificates/:serial"] = {
            "/api/v1/certificates/" + serial,
            {},
            "",
            serial,
            operators({200, true}, not_found, {200, true})};
        t["operator POST /api/v1/requests"] = {
            "/api/v1/requests?action=issue",
            [](Caller c) { return test::row("up" + std::to_string(static_cast<int>(c))); },
            "text/tab-separated-values", "",
            operators({201}, {422}, {422})};  // rows naming A: only A's operators upload them
        t["operator GET /api/v1/requests"] = {
            "/api/v1/requests", {}, "", batch_id, operators({200, true}, {200}, {200, true})};
        // Another institution's batch answers as if absent (404 batch_not_found).
        const Expect not_yours{404, false, "batch_not_found"};
        t["operator GET /api/v1/requests/:id"] = {
            batch, {}, "", batch_id, operators({200, true}, not_yours, {200, true})};
        // An issue batch leaves no revocation file (only renewals do): 404 with its own code.
        const Expect no_file{404, false, "revocation_file_none"};
        t["operator GET /api/v1/requests/:id/revocation-file"] = {
            batch + "/revocation-file", {}, "", "", operators(no_file, not_yours, no_file)};
        // Row 1 is neither locked nor expired: refused for its state, not for the caller.
        const Expect not_locked{409, false, "row_not_locked"};
        t["operator POST /api/v1/requests/:id/rows/:row/unlock"] = {
            batch + "/rows/1/unlock", {}, "", "", operators(not_locked, not_yours, not_locked)};
        const Expect not_expired{409, false, "url_not_expired"};
        t["operator POST /api/v1/requests/:id/rows/:row/resend"] = {
            batch + "/rows/1/resend", {}, "", "", operators(not_expired, not_yours, not_expired)};
        // Nobody's mail: an empty list of revoked certificates (each search is scoped to
        // the caller's institution).
        t["operator POST /api/v1/revocations/by-mail"] = {
            "/api/v1/revocations/by-mail",
            json_body({{"mail", "nobody@example.ac.jp"}, {"reason", 4}}), "application/json", "",
            operators({200}, {200}, {200})};
        t["operator GET /api/v1/export"] = {"/api/v1/export?serial=" + serial,
                                            {},
                                            "",
                                            serial,
                                            operators({200, true}, {200}, {200, true})};
        // An RA operator's statistics name its institution; a service admin's are the
        // whole service's ("institution": null, README "Statistics").
        t["operator GET /api/v1/statistics"] = {"/api/v1/statistics?format=json",
                                                {},
                                                "",
                                                "\"Example University\"",
                                                operators({200, true}, {200}, {200, false})};
        t["operator GET /api/v1/outbox"] = {"/api/v1/outbox", {}, "", "", admin_only({200})};
        t["operator GET /openapi.json"] = {
            "/openapi.json", {}, "", "", operators({200}, {200}, {200})};
        // Service admin functions.
        t["operator GET /api/v1/admin/institutions"] = {
            "/api/v1/admin/institutions", {}, "", "", admin_only({200})};
        t["operator POST /api/v1/admin/institutions"] = {
            "/api/v1/admin/institutions",
            json_body({{"name", "Roles University"}, {"state", "Osaka"}}), "application/json", "",
            admin_only({201})};
        t["operator GET /api/v1/admin/institutions/:name"] = {inst, {}, "", "", admin_only({200})};
        t["operator POST /api/v1/admin/institutions/:name/domains"] = {
            inst + "/domains",
            json_body({{"domain", "lab.example.ac.jp"}, {"until", "2030-03-31"}}),
            "application/json", "", admin_only({200})};
        t["operator POST /api/v1/admin/institutions/:name/locality"] = {
            inst + "/locality", json_body({{"state", "Tokyo"}, {"locality", "Chiyoda-ku"}}),
            "application/json", "", admin_only({200})};
        t["operator POST /api/v1/admin/institutions/:name/whois-names"] = {
            inst + "/whois-names", json_body({{"organisation", "Example Univ."}}),
            "application/json", "", admin_only({200})};
        t["operator GET /api/v1/admin/operators"] = {
            "/api/v1/admin/operators", {}, "", "", admin_only({200})};
        t["operator POST /api/v1/admin/operators"] = {
            "/api/v1/admin/operators",
            json_body({{"name", "new-op"},
                       {"institution", "Example University"},
                       {"email", "new-op@example.ac.jp"}}),
            "application/json", "", admin_only({201})};
        t["operator POST /api/v1/admin/operators/:name/revoke"] = {
            "/api/v1/admin/operators/leaving-op/revoke", json_body({{"reason", 3}}),
            "application/json", "", admin_only({200})};
        // Public listener: anyone; an unknown URL token is just that (404), whoever asks.
        // Static pages (no data in them; the operator listener still needs a certificate).
        t["operator GET /"] = {"/", {}, "", "", operators({200}, {200}, {200})};
        t["operator GET /builder"] = {"/builder", {}, "", "", operators({200}, {200}, {200})};
        t["operator GET /web/:file"] = {
            "/web/console.js", {}, "", "", operators({200}, {200}, {200})};
        // The dry run of an upload stores nothing: 200 with the report, which accepts
        // rows naming A only from A's operators (B's and the admin's are rejected).
        t["operator POST /api/v1/requests/check"] = {
            "/api/v1/requests/check?action=issue",
            [](Caller c) { return test::row("chk" + std::to_string(static_cast<int>(c))); },
            "text/tab-separated-values", "\"ok\":true",
            operators({200, true}, {200, false}, {200, false})};
        t["public GET /"] = {"/", {}, "", "", everyone({200})};
        t["public GET /builder"] = {"/builder", {}, "", "", everyone({200})};
        t["public GET /web/:file"] = {"/web/pin.js", {}, "", "", everyone({200})};
        t["public GET /readyz"] = {"/readyz", {}, "", "", everyone({200})};
        // GET of a PIN or download URL is the page (never reveals or consumes anything).
        t["public GET /pin/:token"] = {"/pin/" + bogus, {}, "", "", everyone({200})};
        t["public POST /pin/:token"] = {"/pin/" + bogus, {}, "", "", everyone(not_found)};
        t["public GET /pin/:token/status"] = {
            "/pin/" + bogus + "/status", {}, "", "", everyone(not_found)};
        for (const char* kind : {"p12", "zip", "certificate"}) {
            t[std::string("public GET /download/:token/") + kind] = {
                "/download/" + bogus + "/" + kind, {}, "", "", everyone({200})};
        }
        t["public GET /download/:token/zip/status"] = {
            "/download/" + bogus + "/zip/status", {}, "", "", everyone(not_found)};
        t["admin GET /metrics"] = {"/metrics", {}, "", "inkan_", everyone({200, true})};
        t["public GET /healthz"] = {"/healthz", {}, "", "", everyone({200})};
        t["public GET /ca.pem"] = {"/ca.pem", {}, "", "", everyone({200})};
        t["public GET /openapi.json"] = {"/openapi.json", {}, "", "", everyone({200})};
        for (const char* kind : {"p12", "zip", "certificate"}) {
            t[std::string("public POST /download/:token/") + kind] = {
                "/download/" + bogus + "/" + kind, json_body({{"pin", "x"}}), "application/json",
                "", everyone(not_found)};
        }
        // Publication listener (plain HTTP): relying parties, anyone.
        t["publication GET /crl/:file"] = {"/crl/inkan-ca.crl", {}, "", "", everyone({200})};
        t["publication GET /ca.crt"] = {"/ca.crt", {}, "", "", everyone({200})};
        // A real OCSP request for A's certificate: anyone learns it is good.
        auto ocsp_text = [this](const std::string& der) {
            auto file = work / "ocsp-response.der";
            test::write_file(file, der);
            return test::run("openssl ocsp -respin " + file.string() + " -resp_text 2>&1").output;
        };
        std::string ocsp_request = this->ocsp_request();
        t["publication POST /ocsp"] = {"/ocsp",
                                       [ocsp_request](Caller) { return ocsp_request; },
                                       "application/ocsp-request",
                                       "Cert Status: good",
                                       everyone({200, true}),
                                       ocsp_text};
        t["publication GET /ocsp/:request"] = {"/ocsp/" + url_encoded_base64(ocsp_request_file()),
                                               {},
                                               "",
                                               "Cert Status: good",
                                               everyone({200, true}),
                                               ocsp_text};
        return t;
    }
};

bool is_allowed(int status) { return status >= 200 && status < 300; }

TEST_F(Roles, EveryRouteAnswersEachCallerAsItsAccessSays) {
    auto t = table();
    std::set<std::string> seen;
    for (const auto& route : f.server().routes().entries()) {
        std::string key =
            std::string(api::to_string(route.listener)) + " " + route.method + " " + route.path;
        seen.insert(key);
        auto found = t.find(key);
        ASSERT_NE(found, t.end()) << key << " (access " << api::to_string(route.access)
                                  << ") is not in the role table: say what each caller gets";
        const Call& call = found->second;
        for (Caller caller : kCallers) {
            // The public and publication listeners take no client certificate at all.
            const Expect& e = call.expect.at(caller);
            auto r = send(route.listener, route.method, call, caller);
            EXPECT_EQ(r.status, e.status) << key << " as " << name_of(caller) << ": " << r.body;
            if (!e.code.empty()) {
                auto problem = json::parse(r.body, nullptr, false);
                EXPECT_EQ(problem.is_object() ? problem.value("code", "") : "", e.code)
                    << key << " as " << name_of(caller) << ": " << r.body;
            }
            if (!call.marker.empty() && is_allowed(r.status)) {
                std::string text = call.text_of ? call.text_of(r.body) : r.body;
                EXPECT_EQ(text.find(call.marker) != std::string::npos, e.sees_marker)
                    << key << " as " << name_of(caller) << " shows institution A's resource? "
                    << text.substr(0, 400);
            }
            // The table agrees with the access the route declares.
            bool refused = e.status == 0 || e.status == 401 || e.status == 403;
            if (route.access == api::Access::ServiceAdmin) {
                EXPECT_EQ(!refused, caller == Caller::Admin) << key << " as " << name_of(caller);
            } else if (route.access == api::Access::Operator) {
                EXPECT_EQ(!refused || caller == Caller::OperatorB, caller != Caller::None)
                    << key << " as " << name_of(caller);
            } else {  // public; the operator listener still ends a handshake without one
                EXPECT_EQ(refused,
                          route.listener == api::Listener::Operator && caller == Caller::None)
                    << key << " as " << name_of(caller);
            }
        }
    }
    for (const auto& [key, call] : t) {
        EXPECT_TRUE(seen.count(key)) << key << " is in the role table but no listener serves it";
    }
}

// An RA operator is refused a service-admin function before its handler runs,
// with a clear problem; the refusal is in the audit trail with the client address.
TEST_F(Roles, AnRaOperatorIsRefusedServiceAdminFunctionsWithAClearProblem) {
    auto r =
        f.operator_client().post("/api/v1/admin/institutions",
                                 json{{"name", "Sneaky University"}}.dump(), "application/json");
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(json::parse(r.body)["code"], "service_admin_only");
    EXPECT_FALSE(f.services().policy->registry().find_by_name("Sneaky University"));
}

// A role the appliance does not know is refused at the API's edge with a clear
// problem, before any key is made or certificate signed.
TEST_F(Roles, AnUnknownRoleForANewOperatorIsRefusedBeforeAnythingIsIssued) {
    auto r = f.client_for(admin).post("/api/v1/admin/operators",
                                      json{{"name", "root"},
                                           {"institution", "Example University"},
                                           {"email", "root@example.ac.jp"},
                                           {"role", "superuser"}}
                                          .dump(),
                                      "application/json");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(json::parse(r.body)["code"], "role_invalid") << r.body;
    EXPECT_FALSE(f.services().operators->find_by_name("root"));
}

}  // namespace
