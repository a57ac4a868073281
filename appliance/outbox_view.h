// api::OutboxView over the store's outbox (GET /api/v1/outbox).
#pragma once

#include "api/outbox_handlers.h"
#include "store/outbox_store.h"

namespace inkan::appliance {

class ApplianceOutboxView final : public api::OutboxView {
  public:
    explicit ApplianceOutboxView(store::OutboxStore& outbox) : outbox_(outbox) {}
    api::OutboxSummary outbox(const std::optional<std::string>& state, size_t limit) override {
        api::OutboxSummary s;
        auto counts = outbox_.counts();
        s.queued = counts[store::MailState::Queued];
        s.dead = counts[store::MailState::Dead];
        s.sent = counts[store::MailState::Sent];
        std::optional<store::MailState> filter;
        if (state) filter = store::parse_mail_state(*state);
        for (const auto& e : outbox_.list(filter, limit)) {
            s.mails.push_back({e.event.id, e.event.type, e.event.recipient,
                               store::to_string(e.state), e.attempts, e.event.created_at,
                               e.next_attempt_at, e.event.sent_at, e.dead_at, e.last_error});
        }
        return s;
    }

  private:
    store::OutboxStore& outbox_;
};

}  // namespace inkan::appliance
