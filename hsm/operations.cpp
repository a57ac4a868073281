#include "hsm/operations.h"

#include <openssl/evp.h>

#include "common/openssl_ptr.h"
#include "hsm/ck_error.h"

namespace inkan::hsm {
namespace {

// Large enough for an RSA-4096 signature, an ECDSA P-521 r||s, an HMAC.
constexpr size_t kMaxSignatureSize = 1024;

// SoftHSM rejects a NULL input pointer even with length 0 (CKR_ARGUMENTS_BAD).
CK_BYTE* input_pointer(ByteView data) {
    static CK_BYTE empty = 0;
    return data.empty() ? &empty : const_cast<CK_BYTE*>(data.data());
}

}  // namespace

Bytes sign(const KeyObject& key, CK_MECHANISM_TYPE mechanism, ByteView data) {
    return key.token().with_session([&](const Session& s) {
        CK_MECHANISM mech{mechanism, nullptr, 0};
        check_rv(s.fn->C_SignInit(s.handle, &mech, key.handle()), "C_SignInit");
        Bytes signature(kMaxSignatureSize);
        CK_ULONG length = signature.size();
        // One C_Sign with a buffer that is always large enough: every return
        // value ends the operation, so a failure never leaves it active.
        check_rv(
            s.fn->C_Sign(s.handle, input_pointer(data), data.size(), signature.data(), &length),
            "C_Sign");
        signature.resize(length);
        return signature;
    });
}

Bytes sign_rsa_pkcs1_sha256(const KeyObject& key, ByteView message) {
    return sign(key, CKM_SHA256_RSA_PKCS, message);
}

Bytes digest(DigestAlgorithm algorithm, ByteView message) {
    const EVP_MD* md = algorithm == DigestAlgorithm::Sha256 ? EVP_sha256() : EVP_sha384();
    Bytes out(static_cast<size_t>(EVP_MD_get_size(md)));
    unsigned int length = 0;
    if (EVP_Digest(message.data(), message.size(), out.data(), &length, md, nullptr) != 1) {
        openssl_fail("EVP_Digest");
    }
    out.resize(length);
    return out;
}

Bytes ecdsa_signature_to_der(ByteView raw) {
    if (raw.empty() || raw.size() % 2 != 0) {
        throw Error(ErrorCategory::Internal, "hsm_ecdsa_signature_malformed",
                    "CKM_ECDSA returned " + std::to_string(raw.size()) + " bytes, not r||s");
    }
    const int half = static_cast<int>(raw.size() / 2);
    EcdsaSigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(raw.data(), half, nullptr);
    BIGNUM* s = BN_bin2bn(raw.data() + half, half, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BignumPtr free_r(r), free_s(s);
        openssl_fail("ECDSA_SIG");
    }
    int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0) openssl_fail("i2d_ECDSA_SIG");
    Bytes der(static_cast<size_t>(length));
    unsigned char* out = der.data();
    i2d_ECDSA_SIG(sig.get(), &out);
    return der;
}

Bytes sign_ecdsa(const KeyObject& key, DigestAlgorithm algorithm, ByteView message) {
    return ecdsa_signature_to_der(sign(key, CKM_ECDSA, digest(algorithm, message)));
}

Bytes generate_random(Token& token, size_t n) {
    Bytes out(n);
    if (n == 0) return out;
    token.with_session([&](const Session& s) {
        check_rv(s.fn->C_GenerateRandom(s.handle, out.data(), out.size()), "C_GenerateRandom");
    });
    return out;
}

Bytes hmac_sha256(const KeyObject& key, ByteView data) { return sign(key, CKM_SHA256_HMAC, data); }

namespace {

// AES-GCM with a 12-byte IV and a 128-bit tag; iv and aad must outlive the call.
CK_GCM_PARAMS gcm_params(CK_BYTE* iv, ByteView aad) {
    CK_GCM_PARAMS params{};
    params.pIv = iv;
    params.ulIvLen = kGcmIvSize;
    params.ulIvBits = kGcmIvSize * 8;
    params.pAAD = const_cast<CK_BYTE*>(aad.data());
    params.ulAADLen = aad.size();
    params.ulTagBits = kGcmTagSize * 8;
    return params;
}

}  // namespace

Bytes aes_gcm_encrypt(const KeyObject& key, ByteView plaintext, ByteView aad) {
    Bytes out = generate_random(key.token(), kGcmIvSize);
    out.resize(kGcmIvSize + plaintext.size() + kGcmTagSize);
    key.token().with_session([&](const Session& s) {
        CK_GCM_PARAMS params = gcm_params(out.data(), aad);
        CK_MECHANISM mech{CKM_AES_GCM, &params, sizeof params};
        check_rv(s.fn->C_EncryptInit(s.handle, &mech, key.handle()), "C_EncryptInit");
        CK_ULONG length = out.size() - kGcmIvSize;
        check_rv(s.fn->C_Encrypt(s.handle, input_pointer(plaintext), plaintext.size(),
                                 out.data() + kGcmIvSize, &length),
                 "C_Encrypt");
        out.resize(kGcmIvSize + length);
    });
    return out;
}

Bytes aes_gcm_decrypt(const KeyObject& key, ByteView input, ByteView aad) {
    if (input.size() < kGcmIvSize + kGcmTagSize) {
        throw Error(ErrorCategory::InvalidInput, "hsm_ciphertext_too_short",
                    "AES-GCM input shorter than IV and tag");
    }
    Bytes iv(input.begin(), input.begin() + kGcmIvSize);
    ByteView ciphertext = input.subspan(kGcmIvSize);
    Bytes plaintext(ciphertext.size());
    key.token().with_session([&](const Session& s) {
        CK_GCM_PARAMS params = gcm_params(iv.data(), aad);
        CK_MECHANISM mech{CKM_AES_GCM, &params, sizeof params};
        check_rv(s.fn->C_DecryptInit(s.handle, &mech, key.handle()), "C_DecryptInit");
        CK_ULONG length = plaintext.size();
        CK_RV rv = s.fn->C_Decrypt(s.handle, input_pointer(ciphertext), ciphertext.size(),
                                   plaintext.data(), &length);
        // A tag mismatch: SoftHSM reports CKR_GENERAL_ERROR, the standard says
        // CKR_ENCRYPTED_DATA_INVALID.
        if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE ||
            rv == CKR_GENERAL_ERROR || rv == CKR_FUNCTION_FAILED) {
            throw Error(ErrorCategory::InvalidInput, "hsm_decryption_failed",
                        "AES-GCM authentication failed (" + ck_rv_name(rv) + ")");
        }
        check_rv(rv, "C_Decrypt");
        plaintext.resize(length);
    });
    return plaintext;
}

}  // namespace inkan::hsm
