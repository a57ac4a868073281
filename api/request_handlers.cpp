#include "api/request_handlers.h"

#include "api/form.h"
#include "api/issuance_json.h"
#include "api/responder.h"
#include "common/error.h"

namespace inkan::api {

using namespace Pistache;

namespace {

policy::Action action_param(const Rest::Request& req) {
    auto a = req.query().get("action");
    if (!a) {
        throw Error(ErrorCategory::InvalidInput, "action_missing",
                    "query parameter 'action' is required: issue, renew or revoke");
    }
    auto action = policy::parse_action(*a);
    if (!action) {
        throw Error(ErrorCategory::InvalidInput, "action_invalid",
                    "query parameter 'action' must be issue, renew or revoke");
    }
    return *action;
}

policy::ErrorMode mode_param(const Rest::Request& req) {
    auto m = req.query().get("on_error");
    if (!m) return policy::ErrorMode::Abort;  // the manual recommends "abort everything"
    auto mode = policy::parse_error_mode(*m);
    if (!mode) {
        throw Error(ErrorCategory::InvalidInput, "on_error_invalid",
                    "query parameter 'on_error' must be abort or skip");
    }
    return *mode;
}

// The :row of /api/v1/requests/:id/rows/:row/... (0..999999).
int64_t row_param(const Rest::Request& req) {
    auto row = req.param(":row").as<std::string>();
    if (row.empty() || row.size() > 6 || row.find_first_not_of("0123456789") != std::string::npos) {
        throw Error(ErrorCategory::InvalidInput, "row_invalid",
                    "the row in the path must be a row number (row_id in GET "
                    "/api/v1/requests/{id}; 0 for a P12 bulk batch as a whole)");
    }
    return std::stoll(row);
}

// A rejected file: 413 when it was too large, else 422; the report lists every finding.
void send_rejected(ResponseWriter& writer, const nlohmann::json& body) {
    const auto& report = body["report"];
    std::string code = "request_file_rejected";
    std::string message = "the request file has errors; nothing was registered";
    int status = 422;
    if (report.contains("file_error") && !report["file_error"].is_null()) {
        code = report["file_error"].value("code", code);
        message = report["file_error"].value("message_en", message);
        if (code == "file_too_large") status = 413;
    }
    nlohmann::json out = body;
    out["code"] = code;
    out["message"] = message;
    send_json(writer, status, out);
}

}  // namespace

void RequestHandlers::register_routes(Routes r) {
    r.post("/api/v1/requests", Access::Operator,
           Rest::Routes::bind(&RequestHandlers::submit, this));
    r.post("/api/v1/requests/check", Access::Operator,
           Rest::Routes::bind(&RequestHandlers::check, this));
    r.get("/api/v1/requests", Access::Operator, Rest::Routes::bind(&RequestHandlers::list, this));
    r.get("/api/v1/requests/:id", Access::Operator,
          Rest::Routes::bind(&RequestHandlers::show, this));
    r.get("/api/v1/requests/:id/revocation-file", Access::Operator,
          Rest::Routes::bind(&RequestHandlers::revocation_file, this));
    r.post("/api/v1/requests/:id/rows/:row/unlock", Access::Operator,
           Rest::Routes::bind(&RequestHandlers::unlock, this));
    r.post("/api/v1/requests/:id/rows/:row/resend", Access::Operator,
           Rest::Routes::bind(&RequestHandlers::resend, this));
    r.post("/api/v1/revocations/by-mail", Access::Operator,
           Rest::Routes::bind(&RequestHandlers::revoke_by_mail, this));
}

// {"mail", "reason", "comment"?} as JSON (or a form post): every valid
// certificate of the operator's institution for that person is revoked.
void RequestHandlers::revoke_by_mail(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto content_type = req.headers().tryGet<Http::Header::ContentType>();
        auto fields = parse_fields(req.body(), content_type ? content_type->mime().toString() : "");
        auto mail = field(fields, "mail");
        auto reason = field(fields, "reason");
        if (!mail || !reason || reason->empty() ||
            reason->find_first_not_of("0123456789") != std::string::npos || reason->size() > 2) {
            throw Error(ErrorCategory::InvalidInput, "body_malformed",
                        "send {\"mail\": \"user@your.domain\", \"reason\": 1|3|4|5|0, \"comment\": "
                        "\"...\"}");
        }
        auto result = desk_.revoke_by_mail(who, *mail, std::stoi(*reason),
                                           field(fields, "comment").value_or(""));
        nlohmann::json revoked = nlohmann::json::array();
        for (const auto& x : result.revoked) {
            revoked.push_back({{"serial", x.serial},
                               {"serial_hex", x.serial_hex},
                               {"subject", x.subject_dn},
                               {"reason", x.reason}});
        }
        send_json(writer, 200, {{"batch_id", result.batch_id}, {"revoked", revoked}});
    });
}

void RequestHandlers::submit(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto action = action_param(req);
        auto mode = mode_param(req);
        auto result = desk_.submit(who, req.body(), action, mode);
        auto body = to_json(result, public_base_url_(), !urls_by_mail_);
        if (result.status != "accepted") {
            send_rejected(writer, body);
            return;
        }
        send_json(writer, 201, body);
    });
}

// The dry run of an upload (`inkan request check` as this operator): 200 with
// the report whether or not it found errors ("ok"); nothing is stored.
void RequestHandlers::check(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto action = action_param(req);
        auto mode = mode_param(req);
        send_json(writer, 200,
                  {{"report", desk_.check_request_file(who, req.body(), action, mode)}});
    });
}

void RequestHandlers::show(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        send_json(writer, 200,
                  to_json(desk_.get_batch(who, req.param(":id").as<std::string>()), true));
    });
}

void RequestHandlers::revocation_file(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto file = desk_.revocation_file(who, req.param(":id").as<std::string>());
        send_bytes(writer, 200, "text/tab-separated-values; charset=Shift_JIS", file.content,
                   file.file_name);
    });
}

void RequestHandlers::unlock(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto id = req.param(":id").as<std::string>();
        auto row = desk_.unlock_row(who, id, row_param(req));
        send_json(writer, 200, {{"batch_id", id}, {"row", to_json(row)}});
    });
}

// 200 with the new URLs (shown once), shaped like an upload's answer.
void RequestHandlers::resend(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        auto result = desk_.resend_urls(who, req.param(":id").as<std::string>(), row_param(req));
        send_json(writer, 200, to_json(result, public_base_url_(), !urls_by_mail_));
    });
}

void RequestHandlers::list(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        nlohmann::json all = nlohmann::json::array();
        for (const auto& b : desk_.list_batches(who)) all.push_back(to_json(b, false));
        send_json(writer, 200, {{"batches", all}});
    });
}

}  // namespace inkan::api
