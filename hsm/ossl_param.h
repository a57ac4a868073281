// Internal: owner types for OpenSSL's OSSL_PARAM builder (not in
// common/openssl_ptr.h yet), and a key built from parameters.
#pragma once

#include <openssl/core.h>
#include <openssl/param_build.h>

#include <memory>

#include "common/openssl_ptr.h"

namespace inkan::hsm {

struct OsslParamBldDeleter {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct OsslParamDeleter {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct BignumClearDeleter {
    void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};
struct Asn1ObjectDeleter {
    void operator()(ASN1_OBJECT* p) const noexcept { ASN1_OBJECT_free(p); }
};
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, Asn1ObjectDeleter>;
using OsslParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslParamBldDeleter>;
using OsslParamPtr = std::unique_ptr<OSSL_PARAM, OsslParamDeleter>;
using SecretBignumPtr = std::unique_ptr<BIGNUM, BignumClearDeleter>;

// EVP_PKEY_fromdata for key type "RSA" / "EC"; selection EVP_PKEY_PUBLIC_KEY or
// EVP_PKEY_KEYPAIR. Throws Error(Internal, "openssl_error").
EvpPkeyPtr pkey_from_params(const char* key_type, int selection, OSSL_PARAM_BLD* builder);

// Throws Error(Internal, "openssl_error") with the OpenSSL error queue text.
[[noreturn]] void throw_openssl_error(const char* what);

}  // namespace inkan::hsm
