// Internal: an EVP_PKEY built from OSSL_PARAM parameters (public keys read
// from the token, exported session keys).
#pragma once

#include <openssl/core.h>
#include <openssl/param_build.h>

#include "common/openssl_ptr.h"

namespace inkan::hsm {

// EVP_PKEY_fromdata for key type "RSA" / "EC"; selection EVP_PKEY_PUBLIC_KEY or
// EVP_PKEY_KEYPAIR. Throws Error(Internal, "openssl_failure").
EvpPkeyPtr pkey_from_params(const char* key_type, int selection, OSSL_PARAM_BLD* builder);

}  // namespace inkan::hsm
