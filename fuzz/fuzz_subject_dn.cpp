// libFuzzer target: a request row's subject DN as text (policy/subject_dn.h).
// Every input either parses to a DN or yields findings, never both, never neither.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/subject_dn.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto result = inkan::policy::parse_subject_dn(text, 1);
    if (result.dn.has_value() == !result.findings.empty()) __builtin_trap();
    return 0;
}
