// GET /api/v1/outbox?state=queued|dead|sent&limit=N (service admins only): the
// mail outbox's counts and its newest mails (no content: recipients, types,
// attempts, the last error). api owns the interface; appliance/ implements it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/authority.h"
#include "api/http_server.h"
#include "api/route_table.h"

namespace inkan::api {

struct OutboxMail {
    int64_t id = 0;
    std::string type;
    std::string recipient;
    std::string state;  // queued / sent / dead
    int attempts = 0;
    int64_t created_at = 0;
    int64_t next_attempt_at = 0;
    std::optional<int64_t> sent_at;
    std::optional<int64_t> dead_at;
    std::optional<std::string> last_error;
};

struct OutboxSummary {
    size_t queued = 0, dead = 0, sent = 0;
    std::vector<OutboxMail> mails;  // newest first
};

class OutboxView {
  public:
    virtual ~OutboxView() = default;
    // state: "queued", "dead", "sent" or unset (all).
    virtual OutboxSummary outbox(const std::optional<std::string>& state, size_t limit) = 0;
};

class OutboxHandlers {
  public:
    OutboxHandlers(Authority& authority, OutboxView& view) : authority_(authority), view_(view) {}
    void register_routes(Routes routes);

  private:
    void show(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
    Authority& authority_;
    OutboxView& view_;
};

}  // namespace inkan::api
