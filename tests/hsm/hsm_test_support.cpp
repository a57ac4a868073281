#include "tests/hsm/hsm_test_support.h"

#include "hsm/attributes.h"

namespace inkan::hsm::test {

TokenConfig config_for(const inkan::test::SoftHsmToken& softhsm, size_t pool_size) {
    TokenConfig c;
    c.module_path = softhsm.module_path();
    c.token_label = softhsm.label();
    c.pin = SecretString(softhsm.user_pin());
    c.pool_size = pool_size;
    return c;
}

bool verify_signature(EVP_PKEY* key, const EVP_MD* md, ByteView message, ByteView signature) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) return false;
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size()) == 1;
}

size_t count_objects_with_id(Token& token, ByteView id) {
    return token.with_session([&](const Session& s) {
        AttributeTemplate match;
        match.add_bytes(CKA_ID, id);
        return find_objects(s, match).size();
    });
}

}  // namespace inkan::hsm::test
