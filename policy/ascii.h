// ASCII character classes for the request-file rules. Request values are UTF-8;
// these never treat a byte >= 0x80 as a letter (as <cctype> in the "C" locale,
// without its per-call cost or its dependence on the locale).
#pragma once

namespace inkan::policy {

constexpr bool is_ascii_alpha(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr bool is_ascii_alnum(char c) noexcept {
    return is_ascii_alpha(c) || (c >= '0' && c <= '9');
}
constexpr char ascii_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace inkan::policy
