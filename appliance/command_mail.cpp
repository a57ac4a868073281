// inkan mail queue|retry|show: the security officer's view of the mail outbox
// (a running `inkan serve` sends; these read and change the store directly).
#include <iostream>

#include "appliance/cli.h"
#include "appliance/mail_wiring.h"
#include "appliance/services.h"
#include "common/error.h"
#include "common/utc_time.h"

namespace inkan::appliance {
namespace {

std::string utc(std::optional<int64_t> unix_seconds) {
    return unix_seconds ? utc_text(*unix_seconds) : "-";
}

void print_entry_line(const store::OutboxEntry& e) {
    std::cout << e.event.id << "\t" << store::to_string(e.state) << "\t" << e.event.type << "\t"
              << e.event.recipient << "\tattempts " << e.attempts << "\tcreated "
              << utc(e.event.created_at);
    if (e.state == store::MailState::Queued) std::cout << "\tnext " << utc(e.next_attempt_at);
    if (e.event.sent_at) std::cout << "\tsent " << utc(e.event.sent_at);
    if (e.last_error) std::cout << "\tlast error: " << *e.last_error;
    std::cout << "\n";
}

}  // namespace

void add_mail_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* mail = app.add_subcommand("mail", "the notification mail outbox");
    mail->require_subcommand(1);

    auto state = std::make_shared<std::string>("pending");
    auto limit = std::make_shared<size_t>(50);
    auto* queue = mail->add_subcommand("queue", "counts per state, and the newest mails of one");
    queue->add_option("--state", *state, "pending (queued and dead), queued, dead, sent or all")
        ->check(CLI::IsMember({"pending", "queued", "dead", "sent", "all"}));
    queue->add_option("--limit", *limit, "how many mails to list (newest first)");
    queue->callback([&global, state, limit, &exit_code] {
        auto services = open_services(load_config(global.state_dir, global.config_file));
        auto counts = services->outbox->counts();
        std::cout << "queued " << counts[store::MailState::Queued] << ", dead "
                  << counts[store::MailState::Dead] << ", sent " << counts[store::MailState::Sent]
                  << "\n";
        std::vector<std::optional<store::MailState>> states;
        if (*state == "pending") {
            states = {store::MailState::Dead, store::MailState::Queued};
        } else if (*state == "all") {
            states = {std::nullopt};
        } else {
            states = {store::parse_mail_state(*state)};
        }
        for (const auto& s : states)
            for (const auto& e : services->outbox->list(s, *limit)) print_entry_line(e);
        exit_code = kExitOk;
    });

    auto id = std::make_shared<int64_t>(0);
    auto all_dead = std::make_shared<bool>(false);
    auto* retry = mail->add_subcommand(
        "retry", "queue dead mails again (one by --id, or every one with --all-dead)");
    auto* id_option = retry->add_option("--id", *id, "the mail's id (see `inkan mail queue`)");
    auto* all_option = retry->add_flag("--all-dead", *all_dead, "every dead mail");
    id_option->excludes(all_option);
    retry->callback([&global, id, all_dead, id_option, &exit_code] {
        if (!*all_dead && id_option->count() == 0) {
            throw Error(ErrorCategory::InvalidInput, "mail_retry_what",
                        "name the mail with --id N, or use --all-dead");
        }
        auto services = open_services(load_config(global.state_dir, global.config_file));
        std::optional<int64_t> which;
        if (!*all_dead) which = *id;
        size_t n = services->outbox->retry(which, store::unix_now());
        if (which && n == 0) {
            throw Error(ErrorCategory::NotFound, "mail_not_dead",
                        "mail " + std::to_string(*id) +
                            " is not a dead mail (see `inkan mail queue --state dead`)");
        }
        std::cout << n << " mail(s) queued again; a running `inkan serve` sends them now\n";
        exit_code = kExitOk;
    });

    auto show_id = std::make_shared<int64_t>(0);
    auto* show = mail->add_subcommand("show", "one mail: its state and text (URLs withheld)");
    show->add_option("id", *show_id, "the mail's id")->required();
    show->callback([&global, show_id, &exit_code] {
        auto services = open_services(load_config(global.state_dir, global.config_file));
        auto entry = services->outbox->find(*show_id);
        if (!entry) {
            throw Error(ErrorCategory::NotFound, "mail_not_found",
                        "no mail " + std::to_string(*show_id) + " (see `inkan mail queue`)");
        }
        print_entry_line(*entry);
        mail::MaildirTransport unused(services->config.maildir_path());
        auto outbox = make_notification_outbox(*services, unused, [&] {
            return services->config.http.effective_public_base_url(
                services->config.http.public_port);
        });
        auto m = outbox->render(*entry, false);
        std::cout << "From: " << m.from << "\nTo: " << m.to.at(0) << "\nSubject: " << m.subject
                  << "\n\n"
                  << m.body;
        for (const auto& a : m.attachments)
            std::cout << "\n[attachment " << a.file_name << ", " << a.content.size() << " bytes]\n";
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
