#include "hsm/public_key.h"

#include <openssl/core_names.h>
#include <openssl/objects.h>

#include "hsm/ossl_param.h"

namespace inkan::hsm {

EvpPkeyPtr pkey_from_params(const char* key_type, int selection, OSSL_PARAM_BLD* builder) {
    OsslParamPtr params(OSSL_PARAM_BLD_to_param(builder));
    if (!params) openssl_fail("OSSL_PARAM_BLD_to_param");
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) openssl_fail("EVP_PKEY_fromdata_init");
    EVP_PKEY* pkey = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1)
        openssl_fail("EVP_PKEY_fromdata");
    return EvpPkeyPtr(pkey);
}

std::string curve_name_from_ec_params(ByteView ec_params) {
    const unsigned char* p = ec_params.data();
    Asn1ObjectPtr oid(d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(ec_params.size())));
    int nid = oid ? OBJ_obj2nid(oid.get()) : NID_undef;
    if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 && nid != NID_secp521r1) {
        throw Error(ErrorCategory::Unsupported, "hsm_curve_unsupported",
                    "CKA_EC_PARAMS is not a supported named curve");
    }
    return OBJ_nid2sn(nid);
}

Bytes ec_point_from_attribute(ByteView ec_point) {
    const unsigned char* p = ec_point.data();
    Asn1OctetStringPtr wrapped(
        d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(ec_point.size())));
    if (wrapped && p == ec_point.data() + ec_point.size()) {
        const unsigned char* inner = ASN1_STRING_get0_data(wrapped.get());
        return Bytes(inner, inner + ASN1_STRING_length(wrapped.get()));
    }
    return Bytes(ec_point.begin(), ec_point.end());
}

namespace {

EvpPkeyPtr rsa_public_key(const KeyObject& key) {
    Bytes n = key.attribute(CKA_MODULUS);
    Bytes e = key.attribute(CKA_PUBLIC_EXPONENT);
    BignumPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
    BignumPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
    OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bn_n || !bn_e || !bld ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
        openssl_fail("RSA public key parameters");
    }
    return pkey_from_params("RSA", EVP_PKEY_PUBLIC_KEY, bld.get());
}

EvpPkeyPtr ec_public_key(const KeyObject& public_key) {
    std::string curve = curve_name_from_ec_params(public_key.attribute(CKA_EC_PARAMS));
    Bytes point = ec_point_from_attribute(public_key.attribute(CKA_EC_POINT));
    OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.c_str(), 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size())) {
        openssl_fail("EC public key parameters");
    }
    return pkey_from_params("EC", EVP_PKEY_PUBLIC_KEY, bld.get());
}

}  // namespace

EvpPkeyPtr export_public_key(const KeyObject& key) {
    CK_KEY_TYPE type = key.key_type();
    if (type == CKK_RSA) return rsa_public_key(key);
    if (type == CKK_EC) {
        if (key.object_class() == CKO_PUBLIC_KEY) return ec_public_key(key);
        return ec_public_key(find_public_key(key.token(), KeyLookup{key.id(), {}}));
    }
    throw Error(ErrorCategory::Unsupported, "hsm_key_type_unsupported",
                "only RSA and EC public keys can be exported");
}

Bytes public_key_der(const KeyObject& key) {
    EvpPkeyPtr pkey = export_public_key(key);
    int len = i2d_PUBKEY(pkey.get(), nullptr);
    if (len <= 0) openssl_fail("i2d_PUBKEY");
    Bytes der(static_cast<size_t>(len));
    unsigned char* out = der.data();
    i2d_PUBKEY(pkey.get(), &out);
    return der;
}

}  // namespace inkan::hsm
