#include "api/publication_handlers.h"

#include <pistache/http_headers.h>

#include "api/responder.h"
#include "common/error.h"

namespace inkan::api {

using namespace Pistache;

namespace {

const std::string kOcspPrefix = "/ocsp/";

void send_ocsp(ResponseWriter& writer, Publication& publication, ByteView request) {
    Bytes response = publication.ocsp_response(request);
    send_bytes(writer, 200, "application/ocsp-response", inkan::to_string(ByteView(response)));
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> percent_decode(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::optional<Bytes> base64_decode(const std::string& text) {
    std::string s = text;
    while (!s.empty() && s.back() == '=') s.pop_back();
    if (text.size() - s.size() > 2 || s.size() % 4 == 1) return std::nullopt;
    Bytes out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : s) {
        int v = base64_value(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

void PublicationHandlers::register_routes(Routes r) {
    r.get("/crl/:file", Access::Public, Rest::Routes::bind(&PublicationHandlers::crl, this));
    r.get("/ca.crt", Access::Public,
          Rest::Routes::bind(&PublicationHandlers::ca_certificate, this));
    r.post("/ocsp", Access::Public, Rest::Routes::bind(&PublicationHandlers::ocsp_post, this));
    // GET /ocsp/{base64 request}: the request may hold "/", which no route pattern matches.
    r.fallback("GET", "/ocsp/:request", Access::Public,
               Rest::Routes::bind(&PublicationHandlers::other, this));
}

void PublicationHandlers::crl(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto crl = req.param(":file").as<std::string>() == publication_.crl_name() + ".crl"
                       ? publication_.latest_crl()
                       : std::nullopt;
        if (!crl) throw Error(ErrorCategory::NotFound, "crl_not_found", "no such CRL");
        send_bytes(writer, 200, "application/pkix-crl", inkan::to_string(ByteView(*crl)));
    });
}

void PublicationHandlers::ca_certificate(const Rest::Request&, Http::ResponseWriter writer) {
    respond(writer, [&] {
        Bytes der = publication_.ca_certificate_der();
        send_bytes(writer, 200, "application/pkix-cert", inkan::to_string(ByteView(der)));
    });
}

void PublicationHandlers::ocsp_post(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] { send_ocsp(writer, publication_, as_bytes(req.body())); });
}

void PublicationHandlers::other(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        const std::string& resource = req.resource();
        if (req.method() != Http::Method::Get || resource.rfind(kOcspPrefix, 0) != 0)
            throw Error(ErrorCategory::NotFound, "not_found", "no such resource");
        // Undecodable text is answered like any other garbage: malformedRequest.
        auto text = percent_decode(resource.substr(kOcspPrefix.size()));
        auto der = text ? base64_decode(*text) : std::nullopt;
        send_ocsp(writer, publication_, der ? ByteView(*der) : ByteView());
    });
}

}  // namespace inkan::api
