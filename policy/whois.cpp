#include "policy/whois.h"

#include "policy/request_text.h"

#include <array>
#include <cctype>

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
        static_cast<unsigned char>(line[0]) < 0x80 && std::isalpha(static_cast<unsigned char>(line[0])))
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

std::optional<std::string> decode_whois_response(std::string_view raw) {
    if (raw.find('\x1b') != std::string_view::npos) return convert_to_utf8(raw, "ISO-2022-JP");
    if (is_valid_utf8(raw)) return std::string(raw);
    return convert_to_utf8(raw, "CP932");
}

std::optional<std::string> parse_whois_organisation(std::string_view text) {
    static constexpr std::array<std::string_view, 4> kLabels{
        "[組織名]", "[Organization]", "Registrant Organization:", "Registrant Organisation:"};
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim_line_end(text.substr(start, end - start));
        start = end + 1;
        for (std::string_view label : kLabels) {
            if (auto value = value_after(line, label)) {
                std::string org = normalise_whitespace(*value);
                if (!org.empty()) return org;
            }
        }
    }
    return std::nullopt;
}

CachingWhoisLookup::CachingWhoisLookup(WhoisLookup& inner, std::chrono::seconds ttl, Now now)
    : inner_(inner), ttl_(ttl), now_(std::move(now)) {}

WhoisAnswer CachingWhoisLookup::lookup(const std::string& domain) {
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(domain);
        if (it != cache_.end() && now_() < it->second.expires) return it->second.answer;
    }
    // Not holding the lock during network I/O; two concurrent misses both ask.
    WhoisAnswer answer = inner_.lookup(domain);
    if (answer.status == WhoisAnswer::Status::Found) {
        std::lock_guard lock(mutex_);
        cache_.insert_or_assign(domain, Entry{answer, now_() + ttl_});
    }
    return answer;
}

}  // namespace inkan::policy
