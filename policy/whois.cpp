#include "policy/whois.h"

#include <algorithm>
#include <array>
#include <cctype>

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
        static_cast<unsigned char>(line[0]) < 0x80 &&
        std::isalpha(static_cast<unsigned char>(line[0])))
        line.remove_prefix(3);
    if (line.substr(0, label.size()) != label) return std::nullopt;
    return line.substr(label.size());
}

}  // namespace

std::string normalise_whitespace(std::string_view text) {
    std::string out;
    bool pending_space = false;
    std::size_t i = 0;
    while (i < text.size()) {
        bool space = false;
        std::size_t step = 1;
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
            space = true;
        } else if (text.substr(i, kIdeographicSpace.size()) == kIdeographicSpace) {
            space = true;
            step = kIdeographicSpace.size();
        }
        if (space) {
            pending_space = !out.empty();
        } else {
            if (pending_space) out += ' ';
            pending_space = false;
            out += text[i];
        }
        i += step;
    }
    return out;
}

std::string normalise_organisation_name(std::string_view name) {
    // Full-width forms U+FF01–U+FF5E are EF BC 81–BF and EF BD 80–9E in UTF-8;
    // U+3000 (E3 80 80) is left to normalise_whitespace.
    std::string narrowed;
    narrowed.reserve(name.size());
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (i + 2 < name.size() && static_cast<unsigned char>(name[i]) == 0xEF) {
            auto lead = static_cast<unsigned char>(name[i + 1]);
            auto tail = static_cast<unsigned char>(name[i + 2]);
            unsigned code = 0;
            if (lead == 0xBC && tail >= 0x81 && tail <= 0xBF) code = 0xFF00u + (tail - 0x80u);
            if (lead == 0xBD && tail >= 0x80 && tail <= 0x9E) code = 0xFF40u + (tail - 0x80u);
            if (code != 0) {
                narrowed += static_cast<char>(code - 0xFEE0u);
                i += 2;
                continue;
            }
        }
        narrowed += name[i];
    }
    std::string out = normalise_whitespace(narrowed);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
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
