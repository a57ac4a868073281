#include "pki/key_policy.h"

#include <openssl/core_names.h>

#include "common/openssl_ptr.h"

namespace inkan::pki {

namespace {

std::optional<std::string> rsa_violation(const EVP_PKEY* key) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits < 2048) return "RSA key of " + std::to_string(bits) + " bits is below 2048";
    if (bits > 8192) return "RSA key of " + std::to_string(bits) + " bits is above 8192";
    BIGNUM* raw = nullptr;
    if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &raw)) return "RSA exponent unreadable";
    BignumPtr e(raw);
    if (!BN_is_odd(e.get()) || BN_is_one(e.get())) return "RSA public exponent is invalid";
    return std::nullopt;
}

std::optional<std::string> ec_violation(const EVP_PKEY* key) {
    char group[64] = {};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len))
        return "EC key without a named curve";
    std::string name(group, len);
    if (name != "prime256v1" && name != "secp384r1")
        return "EC curve " + name + " is not P-256 or P-384";
    return std::nullopt;
}

}  // namespace

bool is_rsa_key(const EVP_PKEY* key) { return key && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA; }

std::optional<std::string> key_policy_violation(const EVP_PKEY* key) {
    if (!key) return "no public key";
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_RSA:
            return rsa_violation(key);
        case EVP_PKEY_EC:
            return ec_violation(key);
        default:
            return "key type is not RSA or EC";
    }
}

}  // namespace inkan::pki
