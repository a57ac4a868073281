// RFC 3912 WHOIS over TCP: connect to the server for the domain's suffix, send
// "domain\r\n", read until the server closes, decode and parse the organisations.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "policy/whois.h"

namespace inkan::policy {

struct WhoisServer {
    std::string host;  // name or literal address
    int port = 43;
};

struct WhoisConfig {
    // Domain suffix (without leading dot) → server; the longest matching suffix wins,
    // e.g. {"jp", whois.jprs.jp:43}, {"ac.jp", ...}. "" is a catch-all.
    std::map<std::string, WhoisServer> servers;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds read_timeout{10000};  // for the whole response
    std::size_t max_response_bytes = 64 * 1024;
};

// "host:port" or "host" (port 43) → WhoisServer; std::nullopt if malformed.
// An IPv6 literal needs brackets: "[::1]:4343".
std::optional<WhoisServer> parse_whois_server(std::string_view text);

// The default table: jp → whois.jprs.jp:43.
WhoisConfig default_whois_config();

class TcpWhoisClient final : public WhoisLookup {
  public:
    explicit TcpWhoisClient(WhoisConfig config);
    WhoisAnswer lookup(const std::string& domain) override;

    // The server for `domain` under the longest-suffix rule, or nullptr.
    const WhoisServer* server_for(const std::string& domain) const;

  private:
    WhoisConfig config_;
};

}  // namespace inkan::policy
