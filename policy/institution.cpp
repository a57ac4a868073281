#include "policy/institution.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <vector>

namespace inkan::policy {

std::optional<Date> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    auto parse = [&](std::size_t pos, std::size_t len, auto& out) {
        auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
        return ec == std::errc{} && ptr == text.data() + pos + len;
    };
    if (!parse(0, 4, y) || !parse(5, 2, m) || !parse(8, 2, d)) return std::nullopt;
    Date date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!date.ok()) return std::nullopt;
    return date;
}

std::string format_date(Date date) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return buf;
}

Date SystemClock::today() const {
    return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

void InMemoryInstitutionRegistry::put(Institution institution) {
    std::string key = institution.name;
    by_name_.insert_or_assign(std::move(key), std::move(institution));
}

std::optional<Institution> InMemoryInstitutionRegistry::find_by_name(std::string_view o) const {
    auto it = by_name_.find(o);
    if (it == by_name_.end()) return std::nullopt;
    return it->second;
}

}  // namespace inkan::policy

namespace inkan::policy {

const char* to_string(WhoisSource source) noexcept {
    return source == WhoisSource::Demo ? "demo" : "registry";
}

bool is_demo_domain(std::string_view domain) {
    std::vector<std::string> labels(1);
    for (char c : domain) {
        if (c == '.') {
            labels.emplace_back();
        } else {
            labels.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    const std::string& last = labels.back();
    if (last == "test" || last == "example" || last == "invalid" || last == "localhost")
        return true;
    // example.<TLD> or example.<second level>.<TLD> (example.com, example.jp,
    // example.ac.jp): never a name under a real registration such as
    // example.realuniv.ac.jp.
    return labels.front() == "example" && labels.size() >= 2 && labels.size() <= 3;
}

}  // namespace inkan::policy
