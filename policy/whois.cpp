#include "policy/whois.h"

#include <algorithm>
#include <array>

#include "policy/ascii.h"
#include "policy/request_text.h"

namespace inkan::policy {
namespace {

constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";

std::string_view trim_line_end(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.remove_suffix(1);
    return line;
}

// The value after `label` if `line` (after an optional "x. " prefix) starts with it.
std::optional<std::string_view> value_after(std::string_view line, std::string_view label) {
    if (line.size() >= 3 && line[1] == '.' && line[2] == ' ' &&
        static_cast<unsigned char>(line[0]) < 0x80 && is_ascii_alpha(line[0]))
        line.remove_prefix(3);
    if (line.substr(0, label.size()) != label) return std::nullopt;
    return line.substr(label.size());
}

}  // namespace

namespace {

// normalise_whitespace over `text` in one pass, each other byte through `map`;
// `narrow`: full-width forms U+FF01–U+FF5E become U+0021–U+007E on the way.
template <typename Map>
std::string normalise(std::string_view text, bool narrow, Map map) {
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    auto emit = [&](char c) {
        if (pending_space) out += ' ';
        pending_space = false;
        out += map(c);
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        // Full-width forms are EF BC 81–BF and EF BD 80–9E in UTF-8.
        if (narrow && static_cast<unsigned char>(c) == 0xEF && i + 2 < text.size()) {
            auto lead = static_cast<unsigned char>(text[i + 1]);
            auto tail = static_cast<unsigned char>(text[i + 2]);
            unsigned code = 0;
            if (lead == 0xBC && tail >= 0x81 && tail <= 0xBF) code = 0xFF00u + (tail - 0x80u);
            if (lead == 0xBD && tail >= 0x80 && tail <= 0x9E) code = 0xFF40u + (tail - 0x80u);
            if (code != 0) {
                emit(static_cast<char>(code - 0xFEE0u));
                i += 2;
                continue;
            }
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pending_space = !out.empty();
        } else if (c == kIdeographicSpace[0] &&
                   text.substr(i, kIdeographicSpace.size()) == kIdeographicSpace) {
            pending_space = !out.empty();
            i += kIdeographicSpace.size() - 1;
        } else {
            emit(c);
        }
    }
    return out;
}

}  // namespace

std::string normalise_whitespace(std::string_view text) {
    return normalise(text, false, [](char c) { return c; });
}

std::string normalise_organisation_name(std::string_view name) {
    // U+3000 (E3 80 80) is whitespace; narrowing never makes or splits one.
    return normalise(name, true, ascii_lower);
}

std::optional<std::string> decode_whois_response(std::string_view raw) {
    if (raw.find('\x1b') != std::string_view::npos) return convert_to_utf8(raw, "ISO-2022-JP");
    if (is_valid_utf8(raw)) return std::string(raw);
    return convert_to_utf8(raw, "CP932");
}

std::vector<std::string> parse_whois_organisations(std::string_view text) {
    static constexpr std::array<std::string_view, 4> kLabels{
        "[組織名]", "[Organization]", "Registrant Organization:", "Registrant Organisation:"};
    std::vector<std::string> organisations;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim_line_end(text.substr(start, end - start));
        start = end + 1;
        for (std::string_view label : kLabels) {
            auto value = value_after(line, label);
            if (!value) continue;
            std::string org = normalise_whitespace(*value);
            if (!org.empty() &&
                std::find(organisations.begin(), organisations.end(), org) == organisations.end())
                organisations.push_back(std::move(org));
            break;
        }
    }
    return organisations;
}

CachingWhoisLookup::CachingWhoisLookup(WhoisLookup& inner, std::chrono::seconds ttl,
                                       std::chrono::seconds failure_ttl, Now now)
    : inner_(inner), ttl_(ttl), failure_ttl_(failure_ttl), now_(std::move(now)) {}

WhoisAnswer CachingWhoisLookup::lookup(const std::string& domain) {
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(domain);
        if (it != cache_.end() && now_() < it->second.expires) return it->second.answer;
    }
    // Not holding the lock during network I/O; two concurrent misses both ask.
    WhoisAnswer answer = inner_.lookup(domain);
    const bool found = answer.status == WhoisAnswer::Status::Found;
    const bool unreachable = answer.status == WhoisAnswer::Status::Unreachable;
    if (found || (unreachable && failure_ttl_.count() > 0)) {
        std::lock_guard lock(mutex_);
        cache_.insert_or_assign(domain, Entry{answer, now_() + (found ? ttl_ : failure_ttl_)});
    }
    return answer;
}

}  // namespace inkan::policy
