#include "hsm/key_templates.h"

#include <openssl/obj_mac.h>
#include <openssl/objects.h>

#include "common/openssl_ptr.h"

namespace inkan::hsm {
namespace {

CK_ULONG rsa_bits(KeyAlgorithm algorithm) {
    switch (algorithm) {
        case KeyAlgorithm::Rsa2048:
            return 2048;
        case KeyAlgorithm::Rsa3072:
            return 3072;
        case KeyAlgorithm::Rsa4096:
            return 4096;
        default:
            return 0;
    }
}

}  // namespace

Bytes ec_params_der(KeyAlgorithm algorithm) {
    int nid = algorithm == KeyAlgorithm::EcP256   ? NID_X9_62_prime256v1
              : algorithm == KeyAlgorithm::EcP384 ? NID_secp384r1
                                                  : NID_undef;
    if (nid == NID_undef) {
        throw Error(ErrorCategory::Unsupported, "hsm_key_algorithm_unsupported",
                    "not an EC key algorithm");
    }
    const ASN1_OBJECT* oid = OBJ_nid2obj(nid);
    int len = i2d_ASN1_OBJECT(oid, nullptr);
    if (len <= 0) openssl_fail("i2d_ASN1_OBJECT");
    Bytes der(static_cast<size_t>(len));
    unsigned char* out = der.data();
    i2d_ASN1_OBJECT(oid, &out);
    return der;
}

KeyPairTemplates key_pair_templates(KeyAlgorithm algorithm, const KeySpec& spec, KeyPairUse use) {
    const bool hsm_key = use == KeyPairUse::HsmSigningKey;
    const bool token_private = use != KeyPairUse::ExportableSessionKey;
    const bool token_public = use == KeyPairUse::HsmSigningKey;
    const bool usable = use != KeyPairUse::PooledKey;
    KeyPairTemplates t;
    AttributeTemplate& pub = t.public_key;
    pub.add_ulong(CKA_CLASS, CKO_PUBLIC_KEY)
        .add_text(CKA_LABEL, spec.label)
        .add_bytes(CKA_ID, spec.id)
        .add_bool(CKA_TOKEN, token_public)
        .add_bool(CKA_PRIVATE, false)
        .add_bool(CKA_VERIFY, usable)
        .add_bool(CKA_ENCRYPT, false)
        .add_bool(CKA_WRAP, false)
        .add_bool(CKA_DERIVE, false);
    AttributeTemplate& priv = t.private_key;
    priv.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY)
        .add_text(CKA_LABEL, spec.label)
        .add_bytes(CKA_ID, spec.id)
        .add_bool(CKA_TOKEN, token_private)
        .add_bool(CKA_PRIVATE, true)
        .add_bool(CKA_SENSITIVE, hsm_key)
        .add_bool(CKA_EXTRACTABLE, !hsm_key)
        .add_bool(CKA_SIGN, usable)
        .add_bool(CKA_DECRYPT, false)
        .add_bool(CKA_UNWRAP, false)
        .add_bool(CKA_DERIVE, false);
    if (is_rsa(algorithm)) {
        static const std::uint8_t kF4[] = {0x01, 0x00, 0x01};
        pub.add_ulong(CKA_KEY_TYPE, CKK_RSA)
            .add_ulong(CKA_MODULUS_BITS, rsa_bits(algorithm))
            .add_bytes(CKA_PUBLIC_EXPONENT, kF4)
            .add_bool(CKA_VERIFY_RECOVER, false);
        priv.add_ulong(CKA_KEY_TYPE, CKK_RSA).add_bool(CKA_SIGN_RECOVER, false);
    } else {
        pub.add_ulong(CKA_KEY_TYPE, CKK_EC).add_bytes(CKA_EC_PARAMS, ec_params_der(algorithm));
        priv.add_ulong(CKA_KEY_TYPE, CKK_EC);
    }
    return t;
}

KeyPair generate_key_pair(Token& token, KeyAlgorithm algorithm, KeyPairTemplates& t) {
    CK_MECHANISM mech{is_rsa(algorithm) ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, nullptr,
                      0};
    auto [pub, priv] = token.with_session([&](const Session& s) {
        CK_OBJECT_HANDLE pub_handle = CK_INVALID_HANDLE;
        CK_OBJECT_HANDLE priv_handle = CK_INVALID_HANDLE;
        check_rv(s.fn->C_GenerateKeyPair(s.handle, &mech, t.public_key.data(), t.public_key.size(),
                                         t.private_key.data(), t.private_key.size(), &pub_handle,
                                         &priv_handle),
                 "C_GenerateKeyPair");
        return std::pair{pub_handle, priv_handle};
    });
    return KeyPair{KeyObject(token, priv), KeyObject(token, pub)};
}

}  // namespace inkan::hsm
