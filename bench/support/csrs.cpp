#include "bench/support/csrs.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/error.h"
#include "common/openssl_ptr.h"
#include "pki/encoding.h"

namespace inkan::bench {

std::vector<std::string> make_csrs(size_t n, size_t first, const std::string& organization) {
    std::vector<std::string> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        EvpPkeyPtr key(EVP_EC_gen("P-256"));
        if (!key) openssl_fail("cannot make a P-256 key");
        X509ReqPtr req(X509_REQ_new());
        X509_NAME* name = X509_REQ_get_subject_name(req.get());
        auto add = [&](const char* type, const std::string& value) {
            X509_NAME_add_entry_by_txt(name, type, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                       -1, 0);
        };
        add("C", "JP");
        add("ST", "Tokyo");
        add("L", "Chiyoda-ku");
        add("O", organization);
        add("CN", "host" + std::to_string(first + i) + ".example.ac.jp");
        if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
            X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0)
            openssl_fail("cannot make CSR");
        out.push_back(pki::to_pem(req.get()));
    }
    return out;
}

}  // namespace inkan::bench
