// A fixed, in-process world for the fuzz targets: one institution, an instant
// WHOIS answer, no existing certificates. Nothing touches the network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "policy/request_check.h"

namespace inkan::fuzz {

class InstantWhois final : public policy::WhoisLookup {
  public:
    policy::WhoisAnswer lookup(const std::string& domain) override {
        if (domain.starts_with("down."))
            return {policy::WhoisAnswer::Status::Unreachable, {}, "down"};
        return {policy::WhoisAnswer::Status::Found, {"Example University"}, {}};
    }
};

inline int check_bytes(const std::uint8_t* data, std::size_t size, policy::Action action) {
    static policy::InMemoryInstitutionRegistry registry = [] {
        policy::InMemoryInstitutionRegistry r;
        policy::Institution inst;
        inst.name = "Example University";
        inst.domains = {{"example.ac.jp", *policy::parse_date("2030-03-31")},
                        {"old.ac.jp", *policy::parse_date("2020-03-31")}};
        inst.locality = "Chiyoda-ku";
        inst.state = "Tokyo";
        inst.whois_names = {"Example University"};
        inst.enabled_profiles = {5, 7, 13, 14, 15, 16};
        r.put(inst);
        return r;
    }();
    static InstantWhois whois;
    static policy::InMemoryExistingCertificates existing;
    static policy::FixedClock clock(*policy::parse_date("2026-04-01"));
    policy::CheckContext context{registry, whois, existing, clock};
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    for (auto mode : {policy::ErrorMode::Abort, policy::ErrorMode::Skip}) {
        policy::CheckReport report = policy::check_request_file(bytes, action, mode, context);
        // Rendering must work for every report (JSON throws on invalid UTF-8).
        (void)policy::report_to_json(report).dump();
        (void)policy::report_to_text(report);
        if (mode == policy::ErrorMode::Abort && report.has_errors() && report.accepted_count() != 0)
            __builtin_trap();
    }
    return 0;
}

}  // namespace inkan::fuzz
