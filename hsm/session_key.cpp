#include "hsm/session_key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

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

// The uncompressed public point scalar × G on `curve`.
Bytes ec_public_point(const std::string& curve, const BIGNUM* scalar) {
    EcGroupPtr group(EC_GROUP_new_by_curve_name(OBJ_sn2nid(curve.c_str())));
    if (!group) openssl_fail("EC_GROUP_new_by_curve_name");
    EcPointPtr point(EC_POINT_new(group.get()));
    if (!point || EC_POINT_mul(group.get(), point.get(), scalar, nullptr, nullptr, nullptr) != 1)
        openssl_fail("EC_POINT_mul");
    const auto form = POINT_CONVERSION_UNCOMPRESSED;
    size_t length = EC_POINT_point2oct(group.get(), point.get(), form, nullptr, 0, nullptr);
    Bytes out(length);
    if (length == 0 ||
        EC_POINT_point2oct(group.get(), point.get(), form, out.data(), length, nullptr) != length)
        openssl_fail("EC_POINT_point2oct");
    return out;
}

// The private object alone is enough (a pool member has no public object): it
// carries CKA_EC_PARAMS, and the public point is computed from the scalar.
EvpPkeyPtr read_ec_private_key(const KeyObject& priv) {
    std::string curve = curve_name_from_ec_params(priv.attribute(CKA_EC_PARAMS));
    SecretBignumPtr scalar = secret_bignum(priv, CKA_VALUE);
    Bytes point = ec_public_point(curve, scalar.get());
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

SessionKeyPair::SessionKeyPair(Token& token, KeyAlgorithm algorithm, KeyObject private_key,
                               std::optional<KeyObject> public_key, Bytes id) noexcept
    : token_(&token),
      algorithm_(algorithm),
      private_key_(std::move(private_key)),
      public_key_(std::move(public_key)),
      id_(std::move(id)) {}

SessionKeyPair::SessionKeyPair(SessionKeyPair&& other) noexcept
    : token_(other.token_),
      algorithm_(other.algorithm_),
      private_key_(std::move(other.private_key_)),
      public_key_(std::move(other.public_key_)),
      id_(std::move(other.id_)) {
    other.private_key_.reset();
    other.public_key_.reset();
}

SessionKeyPair::~SessionKeyPair() { destroy_quietly(); }

const KeyObject& SessionKeyPair::private_key() const {
    if (!private_key_)
        throw Error(ErrorCategory::Gone, "hsm_session_key_consumed",
                    "the session key was already exported");
    return *private_key_;
}

const KeyObject* SessionKeyPair::public_key() const {
    private_key();  // throws once exported
    return public_key_ ? &*public_key_ : nullptr;
}

EvpPkeyPtr SessionKeyPair::export_and_destroy() {
    const KeyObject& priv = private_key();
    EvpPkeyPtr pkey;
    try {
        pkey = is_rsa(algorithm_) ? read_rsa_private_key(priv) : read_ec_private_key(priv);
    } catch (...) {
        destroy_quietly();
        throw;
    }
    KeyObject owned_private = std::move(*private_key_);
    std::optional<KeyObject> owned_public = std::move(public_key_);
    private_key_.reset();
    public_key_.reset();
    owned_private.destroy();
    if (owned_public) owned_public->destroy();
    return pkey;
}

void SessionKeyPair::destroy_quietly() noexcept {
    std::optional<KeyObject> owned[] = {std::move(private_key_), std::move(public_key_)};
    private_key_.reset();
    public_key_.reset();
    for (auto& key : owned) {
        if (!key) continue;
        try {
            key->destroy();
        } catch (...) {
        }
    }
}

SessionKeyPair generate_session_key_pair(Token& token, KeyAlgorithm algorithm) {
    KeySpec spec{"inkan-session-key", random_key_id(token)};
    KeyPairTemplates t = key_pair_templates(algorithm, spec, KeyPairUse::ExportableSessionKey);
    KeyPair keys = generate_key_pair(token, algorithm, t);
    return SessionKeyPair(token, algorithm, std::move(keys.private_key), std::move(keys.public_key),
                          std::move(spec.id));
}

EvpPkeyPtr generate_exported_key(Token& token, KeyAlgorithm algorithm) {
    return generate_session_key_pair(token, algorithm).export_and_destroy();
}

}  // namespace inkan::hsm
