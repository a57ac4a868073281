// The mail outbox: every row of `notifications` is a mail to send, written in the
// same transaction as the event that causes it (BatchStore). A sender takes the
// due ones, and marks each sent only after the mail server (or the Maildir)
// accepted it; a failure is retried later, and after the give-up time the mail
// is dead (kept, visible, retried only when someone asks).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/batch_store.h"

namespace inkan::store {

enum class MailState { Queued, Sent, Dead };
const char* to_string(MailState state) noexcept;  // "queued", "sent", "dead"
std::optional<MailState> parse_mail_state(const std::string& text);

struct OutboxEntry {
    NotificationRecord event;
    MailState state = MailState::Queued;
    int attempts = 0;
    int64_t next_attempt_at = 0;
    std::optional<std::string> last_error;
    std::optional<int64_t> dead_at;
};

class OutboxStore {
  public:
    virtual ~OutboxStore() = default;
    // Queued mails whose next attempt is due, oldest first.
    virtual std::vector<OutboxEntry> due(int64_t now, size_t limit) = 0;
    virtual void mark_sent(int64_t id, int64_t when) = 0;
    // Counts a failed attempt; `dead`: give up (state Dead), else retry at next_attempt_at.
    virtual void record_failure(int64_t id, const std::string& error, int64_t next_attempt_at,
                                bool dead, int64_t when) = 0;
    // Newest first; state unset: all.
    virtual std::vector<OutboxEntry> list(std::optional<MailState> state, size_t limit) = 0;
    virtual std::optional<OutboxEntry> find(int64_t id) = 0;
    // Queues a dead mail again (id), or every dead one (no id), due now with its
    // attempts reset. Returns how many.
    virtual size_t retry(std::optional<int64_t> id, int64_t now) = 0;
    virtual std::map<MailState, size_t> counts() = 0;
};

}  // namespace inkan::store
