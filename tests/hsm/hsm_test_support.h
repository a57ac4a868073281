// Shared by the hsm tests: a throwaway SoftHSM token with an open hsm::Token,
// and OpenSSL signature verification.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "hsm/token.h"
#include "tests/support/softhsm_token.h"

namespace inkan::hsm::test {

TokenConfig config_for(const inkan::test::SoftHsmToken& softhsm, size_t pool_size = 2);

class HsmTokenFixture : public ::testing::Test {
  protected:
    inkan::test::SoftHsmToken softhsm_;
    std::unique_ptr<Token> token_ = std::make_unique<Token>(config_for(softhsm_));
};

// EVP_DigestVerify with `md` (nullptr for none) over `message`.
bool verify_signature(EVP_PKEY* key, const EVP_MD* md, ByteView message, ByteView signature);

inline Bytes bytes_of(std::string_view s) {
    ByteView b = as_bytes(s);
    return Bytes(b.begin(), b.end());
}

// Number of objects with this CKA_ID visible to the token's sessions.
size_t count_objects_with_id(Token& token, ByteView id);

}  // namespace inkan::hsm::test
