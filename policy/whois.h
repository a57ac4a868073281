// WHOIS (RFC 3912): the lookup interface the institution rules call, the parser
// for registrant organisations, the comparison form of organisation names, and a
// TTL cache decorator (thread-safe).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inkan::policy {

struct WhoisAnswer {
    enum class Status {
        Found,           // at least one organisation was parsed from the response
        NoOrganisation,  // a response came but held no organisation (garbage, rate limit, no match)
        Unreachable,     // connection refused, timeout, response too large, no server for the TLD
    };
    Status status = Status::Unreachable;
    // Every organisation field of the record (UTF-8), as parse_whois_organisations
    // returns them; non-empty exactly when Found.
    std::vector<std::string> organisations;
    std::string detail;  // for logs: what went wrong (never shown to requesters)
};

class WhoisLookup {
  public:
    virtual ~WhoisLookup() = default;
    virtual WhoisAnswer lookup(const std::string& domain) = 0;
};

// Decodes a raw WHOIS response to UTF-8: ISO-2022-JP (JPRS) when it holds ESC
// sequences, else UTF-8 if valid, else CP932; std::nullopt if none fits.
std::optional<std::string> decode_whois_response(std::string_view raw);

// Every registrant organisation in a decoded response, in record order: the JPRS
// forms `[組織名]  X`, `f. [組織名]  X`, `[Organization]  X`, `g. [Organization]  X`
// (a JPRS record carries the Japanese and the English name) and the common
// `Registrant Organization: X` / `Registrant Organisation: X`. Each value is
// whitespace-normalised (normalise_whitespace); empty values are skipped and a
// value equal to an earlier one (byte for byte, after whitespace normalisation)
// is dropped. Empty if the response names no organisation.
std::vector<std::string> parse_whois_organisations(std::string_view text);

// Collapses runs of ASCII whitespace (space, tab, CR, LF) and ideographic spaces
// (U+3000) into one space and trims both ends.
std::string normalise_whitespace(std::string_view text);

// The comparison form of an organisation name, applied to the WHOIS value and to
// the registered name alike (two names match iff their forms are equal):
//   1. full-width ASCII forms U+FF01–U+FF5E become U+0021–U+007E (ＡＢＣ１ → ABC1);
//   2. the ideographic space U+3000 becomes a space;
//   3. runs of whitespace (space, tab, CR, LF) collapse to one space, both ends trimmed;
//   4. ASCII letters A–Z become a–z (case-insensitive comparison).
// Nothing else: no kana folding (half-width katakana stays), no punctuation
// stripping, no case folding outside ASCII, no Unicode normalisation.
std::string normalise_organisation_name(std::string_view name);

// Caches Found answers for `ttl` and Unreachable ones (connection refused,
// timeout) for `failure_ttl`, so that a silent server costs one connect + read
// timeout per domain and `failure_ttl`, not one per request; NoOrganisation
// answers are not cached (retry next time). failure_ttl 0: failures not cached.
class CachingWhoisLookup final : public WhoisLookup {
  public:
    using Now = std::function<std::chrono::steady_clock::time_point()>;
    CachingWhoisLookup(
        WhoisLookup& inner, std::chrono::seconds ttl,
        std::chrono::seconds failure_ttl = std::chrono::seconds(0),
        Now now = [] { return std::chrono::steady_clock::now(); });
    WhoisAnswer lookup(const std::string& domain) override;

  private:
    struct Entry {
        WhoisAnswer answer;
        std::chrono::steady_clock::time_point expires;
    };
    WhoisLookup& inner_;
    std::chrono::seconds ttl_;
    std::chrono::seconds failure_ttl_;
    Now now_;
    std::mutex mutex_;
    std::map<std::string, Entry> cache_;
};

}  // namespace inkan::policy
