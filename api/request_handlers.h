#pragma once

#include <pistache/router.h>

#include <functional>
#include <string>

#include "api/authority.h"
#include "api/file_stream.h"
#include "api/issuance_desk.h"
#include "api/route_table.h"

namespace inkan::api {

// RA operator (client certificate):
//   POST /api/v1/requests?action=issue&on_error=abort|skip   body: the request file
//   POST /api/v1/requests/check?action=..&on_error=..   the same report, nothing stored
//   GET  /api/v1/requests              batches of the operator's institution
//   GET  /api/v1/requests/:id          one batch and the state of each row
//   GET  /api/v1/requests/:id/revocation-file   a renewal's revocation request file
//                                      for the old certificates (Shift_JIS TSV, CRLF)
//   POST /api/v1/revocations/by-mail   {mail, reason, comment?}
//   POST /api/v1/requests/:id/rows/:row/unlock   a row locked by wrong PINs
//   POST /api/v1/requests/:id/rows/:row/resend   new URLs for expired ones (row 0:
//                                                a P12 bulk batch)
class RequestHandlers {
  public:
    // public_base_url: where subscribers reach the public listener (asked per
    // request: with port 0 the port is known only once the server listens).
    // urls_by_mail: the PIN and retrieval URLs travel by mail to their recipients
    // only, and the upload / re-send answers leave them out.
    RequestHandlers(Authority& authority, IssuanceDesk& desk,
                    std::function<std::string()> public_base_url, bool urls_by_mail)
        : authority_(authority),
          desk_(desk),
          public_base_url_(std::move(public_base_url)),
          urls_by_mail_(urls_by_mail) {}
    void register_routes(Routes routes);

  private:
    void submit(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void check(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void revoke_by_mail(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void show(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void list(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void revocation_file(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void unlock(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void resend(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    Authority& authority_;
    IssuanceDesk& desk_;
    std::function<std::string()> public_base_url_;
    bool urls_by_mail_;
};

// Subscribers (no client certificate), on the public listener:
//   POST /pin/:token[?format=tsv[&encoding=shift_jis]]  the PINs, once (JSON, or the TSV file)
//   GET  /pin/:token/status              can they still be shown (consumes nothing)
//   POST /download/:token/p12            {pin, password?, legacy?}  → PKCS#12
//   POST /download/:token/zip            {legacy?}                  → ZIP of PKCS#12 when
//                                                                     ready, else 202 + progress
//   GET  /download/:token/zip/status                                → the ZIP job's progress
//   POST /download/:token/certificate    {pin, csr | spkac, format: pem|der|p7b|p7b-pem}
class RetrievalHandlers {
  public:
    explicit RetrievalHandlers(IssuanceDesk& desk) : desk_(desk) {}
    void register_routes(Routes routes);

  private:
    void pins(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void pin_status(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void p12(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void zip(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void zip_status(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    void certificate(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    IssuanceDesk& desk_;
    FileStreamer streamer_;  // declared last: running downloads end before the rest goes
};

}  // namespace inkan::api
