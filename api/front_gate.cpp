#include "api/front_gate.h"

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "api/parsed_certificate_cache.h"
#include "api/responder.h"
#include "common/error.h"
#include "common/log.h"

namespace inkan::api {

using namespace Pistache;

namespace {

std::string header_value(const Http::Request& request, const char* name) {
    auto raw = request.headers().tryGetRaw(name);
    return raw ? raw->value() : std::string();
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// nginx's $ssl_client_escaped_cert: the PEM with %XX escapes.
std::string url_unescape(const std::string& in) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && hex_digit(in[i + 1]) >= 0 &&
            hex_digit(in[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(in[i + 1]) * 16 + hex_digit(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

// One per process: the certificates of the operators' clients currently
// calling (api/parsed_certificate_cache.h); 64 distinct operators at a time
// before the least recent is parsed again.
ParsedCertificateCache& forwarded_certificates() {
    static ParsedCertificateCache cache(64);
    return cache;
}

}  // namespace

FrontGate::FrontGate(std::string secret) : secret_(std::move(secret)) {
    if (secret_.size() < 32) {
        throw Error(ErrorCategory::Internal, "front_secret_weak",
                    "the TLS front's shared secret must be at least 32 characters");
    }
}

bool FrontGate::admit(Http::Request& request, Http::ResponseWriter& writer) const {
    std::string presented = header_value(request, kFrontSecretHeader);
    if (presented.size() == secret_.size() &&
        CRYPTO_memcmp(presented.data(), secret_.data(), secret_.size()) == 0) {
        return true;
    }
    // Untraced (the gate runs before routing): no route, no request id of the front.
    log::warn("request refused: not from the TLS front",
              {{"method", Http::methodString(request.method())},
               {"status", 403},
               {"code", "front_required"}});
    respond(writer, [] {
        throw Error(ErrorCategory::Forbidden, "front_required",
                    "this listener answers the TLS front only; use the front's HTTPS port "
                    "(README \"TLS front\")");
    });
    return false;
}

X509Ptr forwarded_client_certificate(const Http::Request& request) {
    std::string escaped = header_value(request, kClientCertificateHeader);
    if (escaped.empty() || header_value(request, kClientVerifyHeader) != "SUCCESS") {
        throw Error(ErrorCategory::Unauthorized, "client_certificate_required",
                    "no verified TLS client certificate was presented");
    }
    if (X509Ptr known = forwarded_certificates().find(escaped)) return known;
    std::string pem = url_unescape(escaped);
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert) {
        throw Error(ErrorCategory::Unauthorized, "client_certificate_unreadable",
                    "the client certificate the TLS front forwarded is not a PEM certificate; "
                    "check the front's configuration (inkan writes it at start)");
    }
    forwarded_certificates().keep(escaped, cert.get());
    return cert;
}

}  // namespace inkan::api
