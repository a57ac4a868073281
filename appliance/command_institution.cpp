// inkan institution add|show|list|approve-domain|set-locality|add-whois-name:
// the service admin's registry of institutions (no HSM needed).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "appliance/cli.h"
#include "appliance/config.h"
#include "appliance/institution_admin.h"
#include "common/error.h"
#include "common/private_files.h"
#include "policy/request_rows.h"
#include "store/sqlite_institution_registry.h"

namespace inkan::appliance {
namespace {

struct InstitutionOptions {
    std::string name;
    std::string state;
    std::string locality;
    std::vector<std::string> whois_names;
    std::vector<int> profiles;
    std::string domain;
    std::string until;
    bool json = false;
};

std::optional<std::string> optional_text(const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

policy::Date parse_until(const std::string& text) {
    auto date = policy::parse_date(text);
    if (!date) {
        throw Error(ErrorCategory::InvalidInput, "date_invalid",
                    "'" + text + "' is not a date YYYY-MM-DD");
    }
    return *date;
}

nlohmann::json to_json(const policy::Institution& i) {
    nlohmann::json j = {
        {"name", i.name},
        {"state", i.state ? nlohmann::json(*i.state) : nlohmann::json(nullptr)},
        {"locality", i.locality ? nlohmann::json(*i.locality) : nlohmann::json(nullptr)},
        {"whois_names", i.whois_names},
        {"whois_source", policy::to_string(i.whois_source)},
        {"enabled_profiles", i.enabled_profiles},
        {"domains", nlohmann::json::array()}};
    for (const auto& d : i.domains) {
        j["domains"].push_back(
            {{"domain", d.domain}, {"approval_expires", policy::format_date(d.approval_expires)}});
    }
    return j;
}

// How the policy engine gets the WHOIS organisation, in words.
std::string whois_source_text(policy::WhoisSource source) {
    if (source == policy::WhoisSource::Demo) {
        return "demo (the demo institution made by init: no registry lookup for reserved "
               "example names such as example.ac.jp; any other domain is looked up)";
    }
    return "registry (looked up at the configured WHOIS servers)";
}

void print(const policy::Institution& i, std::ostream& out) {
    out << i.name << "\n  ST: " << i.state.value_or("(none)")
        << "\n  L:  " << i.locality.value_or("(none)")
        << "\n  WHOIS: " << whois_source_text(i.whois_source) << "\n  WHOIS organisation names:";
    for (const auto& w : i.whois_names) out << " [" << w << "]";
    out << "\n  profiles:";
    for (int p : i.enabled_profiles) out << " " << p;
    out << "\n  approved domains:\n";
    for (const auto& d : i.domains)
        out << "    " << d.domain << " until " << policy::format_date(d.approval_expires) << "\n";
}

// Runs fn with the registry of the state folder's database.
template <typename Fn>
void with_registry(const GlobalOptions& global, Fn&& fn) {
    Config config = load_config(global.state_dir, global.config_file);
    make_private_dirs(config.state_dir);
    store::Database db(config.database_path().string());
    store::SqliteInstitutionRegistry registry(db);
    fn(registry);
}

// Runs fn with the registry's audited edits (no HSM here: the records join the
// chain; the next `inkan serve` signs the checkpoint that covers them).
template <typename Fn>
void with_admin(const GlobalOptions& global, Fn&& fn) {
    Config config = load_config(global.state_dir, global.config_file);
    make_private_dirs(config.state_dir);
    store::Database db(config.database_path().string());
    store::SqliteInstitutionRegistry registry(db);
    AuditLog audit(db, nullptr, config.audit.checkpoint_interval);
    InstitutionAdmin admin(registry, audit, "inkan institution (CLI)");
    fn(admin);
}

}  // namespace

void add_institution_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* cmd = app.add_subcommand("institution",
                                   "institutions: approved domains, ST/L, WHOIS names, profiles");
    cmd->require_subcommand(1);
    auto o = std::make_shared<InstitutionOptions>();

    auto* add = cmd->add_subcommand("add", "register an institution (its O value)");
    add->add_option("--name", o->name, "the institution's O value, exactly")->required();
    add->add_option("--state", o->state, "registered ST (prefecture, romaji)");
    add->add_option("--locality", o->locality, "registered L (municipality, romaji)");
    add->add_option("--whois-name", o->whois_names,
                    "registrant organisation as WHOIS records it (repeatable)");
    add->add_option("--profiles", o->profiles, "enabled profile ids (default 5 7 13 14 15 16)")
        ->delimiter(',');
    add->callback([&global, o, &exit_code] {
        policy::Institution i;
        i.name = o->name;
        i.state = optional_text(o->state);
        i.locality = optional_text(o->locality);
        i.whois_names = o->whois_names;
        i.enabled_profiles = o->profiles.empty()
                                 ? policy::default_enabled_profiles()
                                 : std::set<int>(o->profiles.begin(), o->profiles.end());
        i.whois_source = policy::WhoisSource::Registry;  // demo: only `inkan init` makes one
        with_admin(global, [&](InstitutionAdmin& a) { a.add(i); });
        std::cout << "added institution '" << i.name << "'\n";
        exit_code = kExitOk;
    });

    auto* show = cmd->add_subcommand("show", "show one institution");
    show->add_option("name", o->name)->required();
    show->add_flag("--json", o->json);
    show->callback([&global, o, &exit_code] {
        with_registry(global, [&](auto& r) {
            auto i = r.find_by_name(o->name);
            if (!i)
                throw Error(ErrorCategory::NotFound, "institution_not_found",
                            "no institution named '" + o->name + "'");
            if (o->json)
                std::cout << to_json(*i).dump(2) << "\n";
            else
                print(*i, std::cout);
        });
        exit_code = kExitOk;
    });

    auto* list = cmd->add_subcommand("list", "list institutions");
    list->add_flag("--json", o->json);
    list->callback([&global, o, &exit_code] {
        with_registry(global, [&](auto& r) {
            nlohmann::json all = nlohmann::json::array();
            for (const auto& i : r.list()) {
                if (o->json)
                    all.push_back(to_json(i));
                else
                    print(i, std::cout);
            }
            if (o->json) std::cout << all.dump(2) << "\n";
        });
        exit_code = kExitOk;
    });

    auto* approve =
        cmd->add_subcommand("approve-domain", "approve a domain (and its subdomains) until a date");
    approve->add_option("name", o->name, "institution")->required();
    approve->add_option("domain", o->domain, "e.g. example.ac.jp")->required();
    approve->add_option("--until", o->until, "approval expiry YYYY-MM-DD (inclusive)")->required();
    approve->callback([&global, o, &exit_code] {
        with_admin(global, [&](InstitutionAdmin& a) {
            a.approve_domain(o->name, o->domain, parse_until(o->until));
        });
        exit_code = kExitOk;
    });

    auto* locality =
        cmd->add_subcommand("set-locality", "set the registered ST and L (omit one to clear it)");
    locality->add_option("name", o->name, "institution")->required();
    locality->add_option("--state", o->state, "ST");
    locality->add_option("--locality", o->locality, "L");
    locality->callback([&global, o, &exit_code] {
        with_admin(global, [&](InstitutionAdmin& a) {
            a.set_locality(o->name, optional_text(o->state), optional_text(o->locality));
        });
        exit_code = kExitOk;
    });

    auto* whois =
        cmd->add_subcommand("add-whois-name", "record a registrant organisation name from WHOIS");
    whois->add_option("name", o->name, "institution")->required();
    whois->add_option("organisation", o->domain, "organisation as WHOIS shows it")->required();
    whois->callback([&global, o, &exit_code] {
        with_admin(global, [&](InstitutionAdmin& a) { a.add_whois_name(o->name, o->domain); });
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
