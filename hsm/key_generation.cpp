#include "hsm/key_generation.h"

#include "hsm/attributes.h"
#include "hsm/key_templates.h"

namespace inkan::hsm {
namespace {

struct AlgorithmName {
    KeyAlgorithm algorithm;
    std::string_view name;
};
constexpr AlgorithmName kNames[] = {
    {KeyAlgorithm::Rsa2048, "rsa-2048"}, {KeyAlgorithm::Rsa3072, "rsa-3072"},
    {KeyAlgorithm::Rsa4096, "rsa-4096"}, {KeyAlgorithm::EcP256, "ec-p256"},
    {KeyAlgorithm::EcP384, "ec-p384"},
};

void require_new_id(Token& token, CK_OBJECT_CLASS object_class, const KeySpec& spec) {
    if (spec.id.empty()) {
        throw Error(ErrorCategory::InvalidInput, "hsm_key_id_missing", "a new key needs a CKA_ID");
    }
    if (find_key(token, object_class, KeyLookup{spec.id, {}})) {
        throw Error(ErrorCategory::Conflict, "hsm_key_id_exists",
                    "a key with CKA_ID " + hex_encode(spec.id) + " already exists on token " +
                        token.label());
    }
}

KeyObject generate_secret_key(Token& token, CK_MECHANISM_TYPE mechanism,
                              AttributeTemplate& attributes) {
    CK_MECHANISM mech{mechanism, nullptr, 0};
    CK_OBJECT_HANDLE handle = token.with_session([&](const Session& s) {
        CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
        check_rv(s.fn->C_GenerateKey(s.handle, &mech, attributes.data(), attributes.size(), &h),
                 "C_GenerateKey");
        return h;
    });
    return KeyObject(token, handle);
}

}  // namespace

std::string_view to_string(KeyAlgorithm algorithm) noexcept {
    for (const auto& n : kNames) {
        if (n.algorithm == algorithm) return n.name;
    }
    return "unknown";
}

KeyAlgorithm parse_key_algorithm(std::string_view name) {
    for (const auto& n : kNames) {
        if (n.name == name) return n.algorithm;
    }
    throw Error(ErrorCategory::Unsupported, "hsm_key_algorithm_unsupported",
                "unsupported key algorithm \"" + std::string(name) +
                    "\" (rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384)");
}

bool is_rsa(KeyAlgorithm algorithm) noexcept {
    return algorithm == KeyAlgorithm::Rsa2048 || algorithm == KeyAlgorithm::Rsa3072 ||
           algorithm == KeyAlgorithm::Rsa4096;
}

KeyPair generate_signing_key_pair(Token& token, KeyAlgorithm algorithm, const KeySpec& spec) {
    require_new_id(token, CKO_PRIVATE_KEY, spec);
    KeyPairTemplates t = key_pair_templates(algorithm, spec, KeyPairUse::HsmSigningKey);
    return generate_key_pair(token, algorithm, t);
}

namespace {

// A 32-byte token secret: private, sensitive, never extractable, and allowed
// exactly one pair of operations (sign/verify for HMAC, encrypt/decrypt for AES).
KeyObject generate_secret(Token& token, const KeySpec& spec, CK_KEY_TYPE type,
                          CK_MECHANISM_TYPE mechanism, bool mac_use) {
    require_new_id(token, CKO_SECRET_KEY, spec);
    AttributeTemplate a;
    a.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
        .add_ulong(CKA_KEY_TYPE, type)
        .add_ulong(CKA_VALUE_LEN, 32)
        .add_text(CKA_LABEL, spec.label)
        .add_bytes(CKA_ID, spec.id)
        .add_bool(CKA_TOKEN, true)
        .add_bool(CKA_PRIVATE, true)
        .add_bool(CKA_SENSITIVE, true)
        .add_bool(CKA_EXTRACTABLE, false)
        .add_bool(CKA_SIGN, mac_use)
        .add_bool(CKA_VERIFY, mac_use)
        .add_bool(CKA_ENCRYPT, !mac_use)
        .add_bool(CKA_DECRYPT, !mac_use)
        .add_bool(CKA_WRAP, false)
        .add_bool(CKA_UNWRAP, false)
        .add_bool(CKA_DERIVE, false);
    return generate_secret_key(token, mechanism, a);
}

}  // namespace

KeyObject generate_hmac_key(Token& token, const KeySpec& spec) {
    return generate_secret(token, spec, CKK_GENERIC_SECRET, CKM_GENERIC_SECRET_KEY_GEN, true);
}

KeyObject generate_aes_key(Token& token, const KeySpec& spec) {
    return generate_secret(token, spec, CKK_AES, CKM_AES_KEY_GEN, false);
}

}  // namespace inkan::hsm
