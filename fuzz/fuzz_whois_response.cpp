// libFuzzer target: decoding a raw WHOIS response, parsing its organisations and
// normalising organisation names.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/whois.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    if (auto text = inkan::policy::decode_whois_response(raw)) {
        auto organisations = inkan::policy::parse_whois_organisations(*text);
        for (auto it = organisations.begin(); it != organisations.end(); ++it) {
            // A parsed organisation is never empty, has no surrounding whitespace,
            // and appears once.
            if (it->empty() || it->front() == ' ' || it->back() == ' ') __builtin_trap();
            if (inkan::policy::normalise_whitespace(*it) != *it) __builtin_trap();
            if (std::find(organisations.begin(), it, *it) != it) __builtin_trap();
        }
    }
    (void)inkan::policy::parse_whois_organisations(raw);
    // The comparison form is a fixed point and never longer than its input.
    std::string once = inkan::policy::normalise_organisation_name(raw);
    if (once.size() > raw.size()) __builtin_trap();
    if (inkan::policy::normalise_organisation_name(once) != once) __builtin_trap();
    return 0;
}
