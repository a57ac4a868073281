#include "hsm/session_key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <utility>

#include "hsm/key_templates.h"
#include "hsm/ossl_param.h"
#include "hsm/public_key.h"

namespace inkan::hsm {
namespace {

// A secret attribute value as a BIGNUM; the raw bytes are wiped.
SecretBignumPtr secret_bignum(const KeyObject& key, CK_ATTRIBUTE_TYPE type) {
    Bytes value = key.attribute(type);
    SecretBignumPtr bn(BN_bin2bn(value.data(), static_cast<int>(value.size()), nullptr));
    OPENSSL_cleanse(value.data(), value.size());
    if (!bn) openssl_fail("BN_bin2bn");
    return bn;
}

EvpPkeyPtr read_rsa_private_key(const KeyObject& priv) {
    struct Part {
        CK_ATTRIBUTE_TYPE attribute;
        const char* param;
    };
    static const Part kParts[] = {
        {CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N},
        {CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E},
        {CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
        {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
        {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
        {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
        {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
    };
    OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld) openssl_fail("OSSL_PARAM_BLD_new");
    std::vector<SecretBignumPtr> values;  // must outlive OSSL_PARAM_BLD_to_param
    for (const Part& part : kParts) {
        values.push_back(secret_bignum(priv, part.attribute));
        if (!OSSL_PARAM_BLD_push_BN(bld.get(), part.param, values.back().get())) {
            openssl_fail("OSSL_PARAM_BLD_push_BN");
        }
    }
    return pkey_from_params("RSA", EVP_PKEY_KEYPAIR, bld.get());
}

EvpPkeyPtr read_ec_private_key(const KeyPair& keys) {
    std::string curve = curve_name_from_ec_params(keys.public_key.attribute(CKA_EC_PARAMS));
    Bytes point = ec_point_from_attribute(keys.public_key.attribute(CKA_EC_POINT));
    SecretBignumPtr scalar = secret_bignum(keys.private_key, CKA_VALUE);
    OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.c_str(), 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get())) {
        openssl_fail("EC private key parameters");
    }
    return pkey_from_params("EC", EVP_PKEY_KEYPAIR, bld.get());
}

}  // namespace

SessionKeyPair::SessionKeyPair(Token& token, KeyAlgorithm algorithm, KeyPair keys,
                               Bytes id) noexcept
    : token_(&token), algorithm_(algorithm), keys_(std::move(keys)), id_(std::move(id)) {}

SessionKeyPair::SessionKeyPair(SessionKeyPair&& other) noexcept
    : token_(other.token_),
      algorithm_(other.algorithm_),
      keys_(std::move(other.keys_)),
      id_(std::move(other.id_)) {
    other.keys_.reset();
}

SessionKeyPair::~SessionKeyPair() { destroy_quietly(); }

const KeyPair& SessionKeyPair::keys() const {
    if (!keys_)
        throw Error(ErrorCategory::Gone, "hsm_session_key_consumed",
                    "the session key was already exported");
    return *keys_;
}

EvpPkeyPtr SessionKeyPair::export_and_destroy() {
    const KeyPair& k = keys();
    EvpPkeyPtr pkey;
    try {
        pkey = is_rsa(algorithm_) ? read_rsa_private_key(k.private_key) : read_ec_private_key(k);
    } catch (...) {
        destroy_quietly();
        throw;
    }
    KeyPair owned = std::move(*keys_);
    keys_.reset();
    owned.private_key.destroy();
    owned.public_key.destroy();
    return pkey;
}

void SessionKeyPair::destroy_quietly() noexcept {
    if (!keys_) return;
    KeyPair owned = std::move(*keys_);
    keys_.reset();
    try {
        owned.private_key.destroy();
    } catch (...) {
    }
    try {
        owned.public_key.destroy();
    } catch (...) {
    }
}

SessionKeyPair generate_session_key_pair(Token& token, KeyAlgorithm algorithm) {
    KeySpec spec{"inkan-session-key", random_key_id(token)};
    KeyPairTemplates t = key_pair_templates(algorithm, spec, KeyPairUse::ExportableSessionKey);
    KeyPair keys = generate_key_pair(token, algorithm, t);
    return SessionKeyPair(token, algorithm, std::move(keys), std::move(spec.id));
}

EvpPkeyPtr generate_exported_key(Token& token, KeyAlgorithm algorithm) {
    return generate_session_key_pair(token, algorithm).export_and_destroy();
}

}  // namespace inkan::hsm
