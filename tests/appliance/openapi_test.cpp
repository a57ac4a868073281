// GET /openapi.json against the real routes: every route the listeners
// register is documented (method, path, listener), every documented one is
// registered and answers on a running appliance with something other than
// "no route", and the document has the OpenAPI 3 shape.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <tuple>

#include "api/openapi_handlers.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

using namespace inkan;
using nlohmann::json;

namespace {

using Route = std::tuple<std::string, std::string, std::string>;  // listener, METHOD, /{x} path

// Pistache's /a/:b → OpenAPI's /a/{b}.
std::string openapi_path(const std::string& pistache) {
    return std::regex_replace(pistache, std::regex(":([A-Za-z_]+)"), "{$1}");
}

std::set<Route> registered(const api::RouteTable& table) {
    std::set<Route> out;
    for (const auto& e : table.entries())
        out.insert({api::to_string(e.listener), e.method, openapi_path(e.path)});
    return out;
}

std::set<Route> documented(const json& doc) {
    std::set<Route> out;
    for (const auto& [path, item] : doc["paths"].items()) {
        for (const auto& [method, operation] : item.items()) {
            if (method != "get" && method != "post") continue;
            for (const auto& listener : item["x-inkan-listeners"]) {
                out.insert({listener, method == "get" ? "GET" : "POST", path});
            }
        }
    }
    return out;
}

// Pistache's own 404 ("Could not find a matching route") or the publication
// listener's fallback (problem code not_found).
bool no_route(int status, const std::string& body) {
    if (status != 404) return false;
    if (body.find("Could not find a matching route") != std::string::npos) return true;
    auto problem = json::parse(body, nullptr, false);
    return problem.is_object() && problem.value("code", "") == "not_found";
}

}  // namespace

TEST(OpenApi, DocumentIsOpenApi3ShapedAndTheRepositoryFile) {
    EXPECT_EQ(std::string(api::openapi_document()), test::read_file(INKAN_OPENAPI_SOURCE));
    auto doc = json::parse(api::openapi_document());
    ASSERT_TRUE(doc["openapi"].is_string());
    EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.", 0), 0u);
    EXPECT_TRUE(doc["info"]["title"].is_string());
    EXPECT_TRUE(doc["info"]["version"].is_string());
    ASSERT_TRUE(doc["paths"].is_object());
    for (const auto& [path, item] : doc["paths"].items()) {
        EXPECT_EQ(path.front(), '/') << path;
        ASSERT_TRUE(item["x-inkan-listeners"].is_array()) << path;
        for (const auto& [method, operation] : item.items()) {
            if (method != "get" && method != "post") continue;
            EXPECT_FALSE(operation["responses"].empty()) << method << " " << path;
            std::smatch m;
            std::string rest = path;
            while (std::regex_search(rest, m, std::regex("\\{([a-z_]+)\\}"))) {
                bool declared = false;
                for (const auto& p : operation.value("parameters", json::array()))
                    declared |= p["in"] == "path" && p["name"] == m[1].str();
                EXPECT_TRUE(declared) << method << " " << path << " lacks " << m[1];
                rest = m.suffix();
            }
        }
    }
}

TEST(OpenApi, EveryRouteDocumentedAndEveryDocumentedRouteAnswers) {
    test::ApplianceFixture f;
    auto doc = json::parse(api::openapi_document());
    auto routes = registered(f.server().routes());
    auto docs = documented(doc);
    ASSERT_FALSE(routes.empty());
    for (const auto& r : routes) {
        EXPECT_TRUE(docs.count(r)) << std::get<1>(r) << " " << std::get<2>(r) << " on the "
                                   << std::get<0>(r) << " listener is not in api/openapi.json";
    }
    for (const auto& r : docs) {
        EXPECT_TRUE(routes.count(r))
            << "api/openapi.json documents " << std::get<1>(r) << " " << std::get<2>(r)
            << " on the " << std::get<0>(r) << " listener, which registers no such route";
    }
    // Who may call each route (api::Access, checked by the route gate) is what the
    // document says (x-inkan-access per listener).
    for (const auto& e : f.server().routes().entries()) {
        std::string method = e.method == "GET" ? "get" : "post";
        const json& operation = doc["paths"][openapi_path(e.path)][method];
        EXPECT_EQ(operation["x-inkan-access"].value(api::to_string(e.listener), std::string()),
                  api::to_string(e.access))
            << e.method << " " << e.path << " on the " << api::to_string(e.listener) << " listener";
    }
    test::TempDir work;
    for (const auto& [listener, method, path] : docs) {
        std::string concrete = std::regex_replace(path, std::regex("\\{[a-z_]+\\}"), "1");
        // A whole export is streamed and this client then waits for the server to
        // close (about a minute); a refused filter reaches the handler just as well.
        if (concrete == "/api/v1/export") concrete += "?status=bogus";
        int status = 0;
        std::string body;
        if (listener == "publication" || listener == "admin") {
            std::string base = listener == "admin"
                                   ? "http://127.0.0.1:" + std::to_string(f.server().metrics_port())
                                   : f.crl_base_url();
            auto r = test::run("curl -s -X " + method + " -o " + (work / "body").string() +
                               " -w '%{http_code}' " + base + concrete);
            status = std::atoi(r.output.c_str());
            body = test::read_file(work / "body");
        } else {
            auto client = listener == "operator" ? f.operator_client() : f.public_client();
            auto r = client.request(method, concrete, method == "POST" ? "x" : "");
            status = r.status;
            body = r.body;
        }
        EXPECT_NE(status, 0) << method << " " << concrete;
        EXPECT_FALSE(no_route(status, body))
            << method << " " << concrete << " on " << listener << ": " << status << " " << body;
    }
    // The public listener's document holds no operator-only path.
    auto pub = f.public_client().get("/openapi.json");
    ASSERT_EQ(pub.status, 200) << pub.body;
    auto pub_doc = json::parse(pub.body);
    EXPECT_FALSE(pub_doc["paths"].contains("/api/v1/certificates"));
    EXPECT_FALSE(pub_doc["paths"].contains("/metrics"));
    EXPECT_TRUE(pub_doc["paths"].contains("/download/{token}/p12"));
    auto op = f.operator_client().get("/openapi.json");
    ASSERT_EQ(op.status, 200) << op.body;
    EXPECT_TRUE(json::parse(op.body)["paths"].contains("/api/v1/certificates"));
}
