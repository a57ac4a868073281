// WHOIS (RFC 3912): the lookup interface the institution rules call, the parser
// for registrant organisations, and a TTL cache decorator (thread-safe).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace inkan::policy {

struct WhoisAnswer {
    enum class Status {
        Found,           // an organisation was parsed from the response
        NoOrganisation,  // a response came but held no organisation (garbage, rate limit, no match)
        Unreachable,     // connection refused, timeout, response too large, no server for the TLD
    };
    Status status = Status::Unreachable;
    std::string organisation;  // set when Found (UTF-8)
    std::string detail;        // for logs: what went wrong (never shown to requesters)
};

class WhoisLookup {
public:
    virtual ~WhoisLookup() = default;
    virtual WhoisAnswer lookup(const std::string& domain) = 0;
};

// Decodes a raw WHOIS response to UTF-8: ISO-2022-JP (JPRS) when it holds ESC
// sequences, else UTF-8 if valid, else CP932; std::nullopt if none fits.
std::optional<std::string> decode_whois_response(std::string_view raw);

// The registrant organisation in a decoded response, first match wins:
// JPRS forms `[組織名]  X`, `f. [組織名]  X`, `[Organization]  X`, `g. [Organization] X`
// and the common `Registrant Organization: X`. Values are whitespace-normalised.
std::optional<std::string> parse_whois_organisation(std::string_view text);

// Collapses runs of ASCII and ideographic (U+3000) whitespace into one space and
// trims both ends; the comparison form for organisation names.
std::string normalise_whitespace(std::string_view text);

// Caches Found answers for `ttl`; other answers are not cached (retry next time).
class CachingWhoisLookup final : public WhoisLookup {
public:
    using Now = std::function<std::chrono::steady_clock::time_point()>;
    CachingWhoisLookup(WhoisLookup& inner, std::chrono::seconds ttl,
                       Now now = [] { return std::chrono::steady_clock::now(); });
    WhoisAnswer lookup(const std::string& domain) override;

private:
    struct Entry {
        WhoisAnswer answer;
        std::chrono::steady_clock::time_point expires;
    };
    WhoisLookup& inner_;
    std::chrono::seconds ttl_;
    Now now_;
    std::mutex mutex_;
    std::map<std::string, Entry> cache_;
};

}  // namespace inkan::policy
