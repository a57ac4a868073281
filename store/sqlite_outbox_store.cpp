#include "store/sqlite_outbox_store.h"

#include "common/error.h"
#include "store/notification_rows.h"

namespace inkan::store {
namespace {

// The entry's columns after the notification's (see kNotificationColumns).
constexpr const char* kOutboxColumns = ", attempts, next_attempt_at, last_error, dead_at";
constexpr int kFirstOutboxColumn = 14;

const char* const kState =
    "CASE WHEN sent_at IS NOT NULL THEN 'sent' WHEN dead_at IS NOT NULL THEN 'dead' "
    "ELSE 'queued' END";

std::string select_entries(const std::string& where) {
    return std::string("SELECT ") + kNotificationColumns + kOutboxColumns +
           " FROM notifications WHERE " + where;
}

OutboxEntry read_entry(const Statement& s) {
    OutboxEntry e;
    e.event = read_notification(s);
    e.attempts = static_cast<int>(s.int64(kFirstOutboxColumn));
    e.next_attempt_at = s.int64(kFirstOutboxColumn + 1);
    e.last_error = s.opt_text(kFirstOutboxColumn + 2);
    e.dead_at = s.opt_int64(kFirstOutboxColumn + 3);
    e.state = e.event.sent_at ? MailState::Sent : e.dead_at ? MailState::Dead : MailState::Queued;
    return e;
}

std::vector<OutboxEntry> read_all(Statement& s) {
    std::vector<OutboxEntry> out;
    while (s.step()) out.push_back(read_entry(s));
    return out;
}

}  // namespace

const char* to_string(MailState state) noexcept {
    switch (state) {
        case MailState::Queued:
            return "queued";
        case MailState::Sent:
            return "sent";
        case MailState::Dead:
            return "dead";
    }
    return "queued";
}

std::optional<MailState> parse_mail_state(const std::string& text) {
    for (MailState s : {MailState::Queued, MailState::Sent, MailState::Dead})
        if (text == to_string(s)) return s;
    return std::nullopt;
}

std::vector<OutboxEntry> SqliteOutboxStore::due(int64_t now, size_t limit) {
    return db_.with([&](Connection& c) {
        Statement s(c, select_entries("sent_at IS NULL AND dead_at IS NULL AND "
                                      "next_attempt_at <= ? ORDER BY id LIMIT ?"));
        s.bind(1, now).bind(2, static_cast<int64_t>(limit));
        return read_all(s);
    });
}

void SqliteOutboxStore::mark_sent(int64_t id, int64_t when) {
    db_.with([&](Connection& c) {
        Statement s(c, "UPDATE notifications SET sent_at = ?, last_error = NULL WHERE id = ?");
        s.bind(1, when).bind(2, id).run();
    });
}

void SqliteOutboxStore::record_failure(int64_t id, const std::string& error,
                                       int64_t next_attempt_at, bool dead, int64_t when) {
    db_.with([&](Connection& c) {
        Statement s(c,
                    "UPDATE notifications SET attempts = attempts + 1, last_error = ?, "
                    "next_attempt_at = ?, dead_at = ? WHERE id = ? AND sent_at IS NULL");
        s.bind(1, error).bind(2, next_attempt_at);
        s.bind(3, dead ? std::optional<int64_t>(when) : std::nullopt).bind(4, id).run();
    });
}

std::vector<OutboxEntry> SqliteOutboxStore::list(std::optional<MailState> state, size_t limit) {
    return db_.with([&](Connection& c) {
        Statement s(c, select_entries(std::string("(? IS NULL OR ") + kState +
                                      " = ?) ORDER BY id DESC LIMIT ?"));
        std::optional<std::string> name;
        if (state) name = to_string(*state);
        s.bind(1, name).bind(2, name).bind(3, static_cast<int64_t>(limit));
        return read_all(s);
    });
}

std::optional<OutboxEntry> SqliteOutboxStore::find(int64_t id) {
    return db_.with([&](Connection& c) -> std::optional<OutboxEntry> {
        Statement s(c, select_entries("id = ?"));
        s.bind(1, id);
        if (!s.step()) return std::nullopt;
        return read_entry(s);
    });
}

size_t SqliteOutboxStore::retry(std::optional<int64_t> id, int64_t now) {
    return db_.with([&](Connection& c) {
        Statement s(c,
                    "UPDATE notifications SET dead_at = NULL, attempts = 0, next_attempt_at = ? "
                    "WHERE sent_at IS NULL AND dead_at IS NOT NULL AND (? IS NULL OR id = ?)");
        s.bind(1, now).bind(2, id).bind(3, id).run();
        return static_cast<size_t>(c.changes());
    });
}

std::map<MailState, size_t> SqliteOutboxStore::counts() {
    return db_.with([&](Connection& c) {
        Statement s(c,
                    std::string("SELECT ") + kState + ", count(*) FROM notifications GROUP BY 1");
        std::map<MailState, size_t> out{
            {MailState::Queued, 0}, {MailState::Sent, 0}, {MailState::Dead, 0}};
        while (s.step()) out[*parse_mail_state(s.text(0))] = static_cast<size_t>(s.int64(1));
        return out;
    });
}

}  // namespace inkan::store
