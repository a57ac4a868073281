#include "appliance/policy_context.h"

#include "common/error.h"

namespace inkan::appliance {

policy::WhoisConfig whois_config(const WhoisSettings& settings) {
    policy::WhoisConfig c;
    for (const auto& [suffix, server] : settings.servers) {
        auto parsed = policy::parse_whois_server(server);
        if (!parsed) {
            throw Error(
                ErrorCategory::InvalidInput, "config_invalid",
                "whois.servers." + suffix + " must be host or host:port, not '" + server + "'");
        }
        c.servers[suffix] = *parsed;
    }
    c.connect_timeout = std::chrono::milliseconds(settings.connect_timeout_ms);
    c.read_timeout = std::chrono::milliseconds(settings.read_timeout_ms);
    return c;
}

PolicyContext::PolicyContext(const Config& config, store::Database& db,
                             store::CertificateStore& certificates)
    : registry_(db),
      existing_(certificates),
      issued_(certificates),
      tcp_whois_(std::make_unique<policy::TcpWhoisClient>(whois_config(config.whois))),
      whois_(std::make_unique<policy::CachingWhoisLookup>(
          *tcp_whois_, std::chrono::seconds(config.whois.cache_ttl_seconds),
          std::chrono::seconds(config.whois.failure_cache_seconds))) {}

policy::CheckContext PolicyContext::context() const {
    policy::CheckContext context{registry_, *whois_, existing_, clock_};
    context.certificates = &issued_;
    return context;
}

}  // namespace inkan::appliance
