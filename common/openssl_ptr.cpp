#include "common/openssl_ptr.h"

#include <openssl/err.h>

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

}  // namespace inkan
