// libFuzzer target: request bodies of the form and JSON endpoints (api/form.h). The
// first byte picks the declared content type; every failure must be the
// body_malformed inkan::Error, never another exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/form.h"
#include "common/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const char* const kTypes[] = {"application/x-www-form-urlencoded", "application/json",
                                         "text/plain", ""};
    std::string content_type = kTypes[data[0] % 4];
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        auto fields = inkan::api::parse_fields(body, content_type);
        for (const auto& [key, value] : fields) (void)inkan::api::flag_field(fields, key);
    } catch (const inkan::Error& e) {
        if (e.code() != "body_malformed") __builtin_trap();
    }
    return 0;
}
