#include "api/outbox_handlers.h"

#include <algorithm>

#include "api/responder.h"
#include "common/error.h"

namespace inkan::api {

using namespace Pistache;

void OutboxHandlers::register_routes(Routes r) {
    r.get("/api/v1/outbox", Access::ServiceAdmin, Rest::Routes::bind(&OutboxHandlers::show, this));
}

void OutboxHandlers::show(const Rest::Request& req, Http::ResponseWriter writer) {
    respond(writer, [&] {
        auto who = authenticate(req, writer, authority_);
        if (who.role != OperatorRole::ServiceAdmin) {
            throw Error(ErrorCategory::Forbidden, "service_admin_only",
                        "the mail outbox is shown to service admins only");
        }
        std::optional<std::string> state = req.query().get("state");
        if (state && *state != "queued" && *state != "dead" && *state != "sent") {
            throw Error(ErrorCategory::InvalidInput, "state_invalid",
                        "query parameter 'state' must be queued, dead or sent");
        }
        size_t limit = 100;
        if (auto l = req.query().get("limit")) {
            if (l->empty() || l->size() > 4 ||
                l->find_first_not_of("0123456789") != std::string::npos)
                throw Error(ErrorCategory::InvalidInput, "limit_invalid", "limit must be 1..1000");
            limit = std::clamp<size_t>(std::stoul(*l), 1, 1000);
        }
        OutboxSummary s = view_.outbox(state, limit);
        nlohmann::json mails = nlohmann::json::array();
        for (const auto& m : s.mails) {
            nlohmann::json j = {
                {"id", m.id},       {"type", m.type},         {"recipient", m.recipient},
                {"state", m.state}, {"attempts", m.attempts}, {"created_at", m.created_at}};
            if (m.state == "queued") j["next_attempt_at"] = m.next_attempt_at;
            if (m.sent_at) j["sent_at"] = *m.sent_at;
            if (m.dead_at) j["dead_at"] = *m.dead_at;
            if (m.last_error) j["last_error"] = *m.last_error;
            mails.push_back(std::move(j));
        }
        send_json(writer, 200,
                  {{"counts", {{"queued", s.queued}, {"dead", s.dead}, {"sent", s.sent}}},
                   {"mails", mails}});
    });
}

}  // namespace inkan::api
