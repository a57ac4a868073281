// libFuzzer target: decoding a raw WHOIS response and parsing the organisation.
#include "policy/whois.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    if (auto text = inkan::policy::decode_whois_response(raw)) {
        if (auto org = inkan::policy::parse_whois_organisation(*text)) {
            // A parsed organisation is never empty and has no surrounding whitespace.
            if (org->empty() || org->front() == ' ' || org->back() == ' ') __builtin_trap();
            if (inkan::policy::normalise_whitespace(*org) != *org) __builtin_trap();
        }
    }
    (void)inkan::policy::parse_whois_organisation(raw);
    return 0;
}
