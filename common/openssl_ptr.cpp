#include "common/openssl_ptr.h"

#include <openssl/err.h>

#include "common/error.h"

namespace inkan {

std::string openssl_error_text() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? "no OpenSSL error detail" : out;
}

void openssl_fail(const std::string& what) {
    throw Error(ErrorCategory::Internal, "openssl_failure", what + ": " + openssl_error_text());
}

}  // namespace inkan
