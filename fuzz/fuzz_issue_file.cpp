// libFuzzer target: the issue request-file parser and rules, both error modes.
#include "fuzz_context.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return inkan::fuzz::check_bytes(data, size, inkan::policy::Action::Issue);
}
