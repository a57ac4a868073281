#include <pistache/http_headers.h>

#include "api/form.h"
#include "api/issuance_json.h"
#include "api/request_handlers.h"
#include "api/responder.h"
#include "common/error.h"
#include "policy/request_text.h"

namespace inkan::api {

using namespace Pistache;

namespace {

std::string content_type(const Rest::Request& req) {
    auto ct = req.headers().tryGet<Http::Header::ContentType>();
    return ct ? ct->mime().toString() : "";
}

FormFields body_fields(const Rest::Request& req) {
    return parse_fields(req.body(), content_type(req));
}

SecretString required_pin(const FormFields& fields) {
    auto pin = field(fields, "pin");
    if (!pin || pin->empty()) {
        throw Error(ErrorCategory::InvalidInput, "pin_missing", "the access PIN is required");
    }
    return SecretString(*pin);
}

std::string token_of(const Rest::Request& req) { return req.param(":token").as<std::string>(); }

}  // namespace

void RetrievalHandlers::register_routes(Routes r) {
    // GET /pin/:token is the page (api/web_pages.h): a GET never reveals a PIN.
    r.post("/pin/:token", Access::Public, Rest::Routes::bind(&RetrievalHandlers::pins, this));
    r.get("/pin/:token/status", Access::Public,
          Rest::Routes::bind(&RetrievalHandlers::pin_status, this));
    r.post("/download/:token/p12", Access::Public,
           Rest::Routes::bind(&RetrievalHandlers::p12, this));
    r.post("/download/:token/zip", Access::Public,
           Rest::Routes::bind(&RetrievalHandlers::zip, this));
    r.get("/download/:token/zip/status", Access::Public,
          Rest::Routes::bind(&RetrievalHandlers::zip_status, this));
    r.post("/download/:token/certificate", Access::Public,
           Rest::Routes::bind(&RetrievalHandlers::certificate, this));
}

// POST: reveals the PINs once. ?format=json (default) | tsv, &encoding=utf-8
// (default) | shift_jis for the TSV file.
void RetrievalHandlers::pins(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto format = req.query().get("format").value_or("json");
        if (format != "json" && format != "tsv") {
            throw Error(ErrorCategory::InvalidInput, "format_invalid",
                        "format must be json or tsv");
        }
        auto encoding = req.query().get("encoding").value_or("utf-8");
        if (encoding != "utf-8" && encoding != "shift_jis") {
            throw Error(ErrorCategory::InvalidInput, "encoding_invalid",
                        "encoding must be utf-8 or shift_jis");
        }
        auto page = desk_.view_pins(token_of(req));
        writer.headers().add<Http::Header::CacheControl>(Http::CacheDirective::NoStore);
        if (format == "json") {
            send_json(writer, 200, to_json(page));
            return;
        }
        auto tsv = issuance::pin_page_tsv(page);
        if (encoding == "utf-8") {
            send_bytes(writer, 200, "text/tab-separated-values; charset=utf-8", tsv.str(),
                       "pins-" + page.batch_id + ".tsv");
            return;
        }
        // CP932 is what the service's Shift_JIS is; a name it cannot express
        // fails the whole file rather than losing a character.
        auto sjis = policy::convert_from_utf8(tsv.str(), "CP932");
        if (!sjis) {
            throw Error(ErrorCategory::Internal, "pin_tsv_not_shift_jis",
                        "a name or mail of this batch has no Shift_JIS form; the PINs were "
                        "shown once already: ask the RA operator to re-send the PIN URL and "
                        "fetch it with encoding=utf-8");
        }
        SecretString sjis_secret(std::move(*sjis));
        send_bytes(writer, 200, "text/tab-separated-values; charset=Shift_JIS", sjis_secret.str(),
                   "pins-" + page.batch_id + ".tsv");
    });
}

// GET: whether the PIN page can still be shown (nothing revealed or consumed).
void RetrievalHandlers::pin_status(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto state = desk_.pin_url_state(token_of(req));
        writer.headers().add<Http::Header::CacheControl>(Http::CacheDirective::NoStore);
        send_json(writer, 200,
                  {{"status", "available"},
                   {"download_type", to_string(state.download_type)},
                   {"expires_at", state.expires_at},
                   {"rows", state.rows}});
    });
}

void RetrievalHandlers::p12(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto fields = body_fields(req);
        issuance::P12Choice choice;
        if (auto pw = field(fields, "password"); pw && !pw->empty())
            choice.password = SecretString(*pw);
        choice.legacy = flag_field(fields, "legacy");
        auto file = desk_.download_p12(token_of(req), required_pin(fields), choice);
        writer.headers().add<Http::Header::CacheControl>(Http::CacheDirective::NoStore);
        send_bytes(writer, 200, "application/x-pkcs12", inkan::to_string(ByteView(file.content)),
                   file.file_name);
    });
}

// POST: the ZIP when its job is ready (streamed from disk; the rows count as
// downloaded once the last byte was written), else 202 with the job's progress
// and Retry-After: POST again then (or poll GET .../zip/status).
void RetrievalHandlers::zip(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto fields = body_fields(req);
        const std::string token = token_of(req);
        auto zip = desk_.download_bulk_zip(token, flag_field(fields, "legacy"));
        if (!zip.file) {
            writer.headers().add<Http::Header::CacheControl>(Http::CacheDirective::NoStore);
            add_retry_after(writer, 5);
            send_json(writer, 202, to_json(zip.progress));
            return;
        }
        streamer_.start(writer, zip.file->path, "application/zip", zip.file->file_name,
                        [this, token](bool sent) {
                            if (sent) desk_.bulk_zip_delivered(token);
                        });
    });
}

void RetrievalHandlers::zip_status(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto progress = desk_.bulk_zip_status(token_of(req));
        writer.headers().add<Http::Header::CacheControl>(Http::CacheDirective::NoStore);
        send_json(writer, 200, to_json(progress));
    });
}

void RetrievalHandlers::certificate(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto fields = body_fields(req);
        issuance::BrowserRequest request;
        if (auto csr = field(fields, "csr"); csr && !csr->empty()) {
            request.csr = Bytes(csr->begin(), csr->end());
        }
        if (auto spkac = field(fields, "spkac"); spkac && !spkac->empty()) request.spkac = *spkac;
        auto format = field(fields, "format").value_or("pem");
        if (format != "pem" && format != "der" && format != "p7b" && format != "p7b-pem") {
            throw Error(ErrorCategory::InvalidInput, "format_invalid",
                        "format must be pem, der, p7b or p7b-pem");
        }
        auto cert = desk_.enroll_browser(token_of(req), required_pin(fields), request);
        if (format == "der") {
            send_bytes(writer, 200, "application/pkix-cert",
                       inkan::to_string(ByteView(cert.certificate_der)), cert.serial + ".cer");
        } else if (format == "p7b") {
            send_bytes(writer, 200, "application/pkcs7-mime",
                       inkan::to_string(ByteView(cert.pkcs7_der)), cert.serial + ".p7b");
        } else if (format == "p7b-pem") {
            send_bytes(writer, 200, "application/x-pem-file", cert.pkcs7_pem,
                       cert.serial + ".p7b.pem");
        } else {
            send_bytes(writer, 200, "application/x-pem-file", cert.certificate_pem,
                       cert.serial + ".pem");
        }
    });
}

}  // namespace inkan::api
