// inkan hsm status: slots, the token and every key with its security attributes.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "appliance/cli.h"
#include "appliance/services.h"
#include "hsm/key_pool.h"
#include "hsm/status.h"

namespace inkan::appliance {
namespace {

std::string yn(const std::optional<bool>& v) { return v ? (*v ? "yes" : "no") : "-"; }

nlohmann::json flag(const std::optional<bool>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const hsm::ObjectStatus& o) {
    return {{"class", o.object_class},
            {"key_type", o.key_type},
            {"label", o.label},
            {"id", o.id_hex},
            {"bits", o.key_bits ? nlohmann::json(*o.key_bits) : nlohmann::json(nullptr)},
            {"curve", o.curve},
            {"token", flag(o.token)},
            {"private", flag(o.is_private)},
            {"sensitive", flag(o.sensitive)},
            {"extractable", flag(o.extractable)},
            {"sign", flag(o.sign)},
            {"decrypt", flag(o.decrypt)},
            {"unwrap", flag(o.unwrap)},
            {"derive", flag(o.derive)}};
}

void run_status(const GlobalOptions& global, bool json) {
    Config config = load_config(global.state_dir, global.config_file);
    auto token = open_token(config);
    auto slots = hsm::list_slots(token->module());
    auto info = hsm::token_status(*token);
    auto objects = hsm::list_objects(*token);
    auto pool = hsm::count_pool_keys(*token);
    // Pool members are listed as counts, not one line each.
    std::erase_if(objects, [](const hsm::ObjectStatus& o) {
        return o.label.rfind(hsm::kPoolKeyLabel, 0) == 0;
    });
    if (json) {
        nlohmann::json j;
        j["module"] = config.hsm.module_path;
        for (const auto& s : slots) {
            j["slots"].push_back({{"id", s.id},
                                  {"description", s.description},
                                  {"token_present", s.token_present},
                                  {"token_label", s.token_label}});
        }
        j["token"] = {{"label", info.label},
                      {"serial", info.serial},
                      {"manufacturer", info.manufacturer},
                      {"model", info.model},
                      {"slot", info.slot_id},
                      {"user_pin_locked", info.user_pin_locked},
                      {"user_pin_count_low", info.user_pin_count_low}};
        j["objects"] = nlohmann::json::array();
        for (const auto& o : objects) j["objects"].push_back(to_json(o));
        j["key_pool"] = {{"target", config.issuance.key_pool_size},
                         {"key_type", config.issuance.p12_key_type},
                         {"available", nlohmann::json::object()}};
        for (const auto& [type, n] : pool) j["key_pool"]["available"][type] = n;
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::cout << "module: " << config.hsm.module_path << "\n\nslots:\n";
    for (const auto& s : slots) {
        std::cout << "  " << s.id << "  " << s.description
                  << (s.token_present ? "  token: " + s.token_label : "  (no token)") << "\n";
    }
    std::cout << "\ntoken: " << info.label << "  serial " << info.serial << "  "
              << info.manufacturer << " " << info.model
              << (info.user_pin_locked ? "  USER PIN LOCKED" : "")
              << (info.user_pin_count_low ? "  (user PIN count low)" : "") << "\n\nobjects:\n";
    std::cout << "  " << std::left << std::setw(12) << "class" << std::setw(15) << "type"
              << std::setw(20) << "label" << std::setw(34) << "id"
              << "token private sensitive "
              << "extractable sign decrypt\n";
    for (const auto& o : objects) {
        std::string type = o.key_type;
        if (o.key_bits) type += "-" + std::to_string(*o.key_bits);
        std::cout << "  " << std::left << std::setw(12) << o.object_class << std::setw(15) << type
                  << std::setw(20) << o.label << std::setw(34) << o.id_hex << std::setw(6)
                  << yn(o.token) << std::setw(8) << yn(o.is_private) << std::setw(10)
                  << yn(o.sensitive) << std::setw(12) << yn(o.extractable) << std::setw(5)
                  << yn(o.sign) << yn(o.decrypt) << "\n";
    }
    std::cout << "\nkey pool (issuance.key_pool_size " << config.issuance.key_pool_size << ", "
              << config.issuance.p12_key_type << "):";
    if (pool.empty()) std::cout << " empty";
    for (const auto& [type, n] : pool) std::cout << "  " << type << ": " << n << " key pairs";
    std::cout << "\n";
}

}  // namespace

void add_hsm_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* hsm = app.add_subcommand("hsm", "HSM inspection for the security officer");
    hsm->require_subcommand(1);
    auto json = std::make_shared<bool>(false);
    auto* status = hsm->add_subcommand("status", "slots, token and keys with their attributes");
    status->add_flag("--json", *json, "machine-readable output");
    status->callback([&global, json, &exit_code] {
        run_status(global, *json);
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
