#include "pki/software_signer.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <string>

#include "common/error.h"

namespace inkan::pki {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw Error(ErrorCategory::Internal, "openssl_failure", what + ": " + openssl_error_text());
}

const EVP_MD* digest_for(SignatureAlgorithm algorithm) {
    return algorithm == SignatureAlgorithm::EcdsaSha384 ? EVP_sha384() : EVP_sha256();
}

}  // namespace

EvpPkeyPtr generate_key(KeyType type) {
    EVP_PKEY* key = nullptr;
    switch (type) {
        case KeyType::EcP256:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
            break;
        case KeyType::EcP384:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
            break;
        case KeyType::Rsa2048:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
            break;
        case KeyType::Rsa3072:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
            break;
        case KeyType::Rsa4096:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
            break;
    }
    if (!key) fail("key generation failed");
    return EvpPkeyPtr(key);
}

EvpPkeyPtr public_key_copy(const EVP_PKEY* key) {
    unsigned char* der = nullptr;
    int len = i2d_PUBKEY(key, &der);
    if (len <= 0) fail("cannot encode public key");
    OpenSslBytes owned(der);
    const unsigned char* p = der;
    EvpPkeyPtr copy(d2i_PUBKEY(nullptr, &p, len));
    if (!copy) fail("cannot decode public key");
    return copy;
}

SignatureAlgorithm signature_algorithm_for(const EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "RSA")) return SignatureAlgorithm::RsaPkcs1Sha256;
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &len)) {
            std::string name(group, len);
            if (name == "prime256v1" || name == "P-256") return SignatureAlgorithm::EcdsaSha256;
            if (name == "secp384r1" || name == "P-384") return SignatureAlgorithm::EcdsaSha384;
        }
    }
    throw Error(ErrorCategory::Unsupported, "signer_key_unsupported",
                "signing key must be RSA, EC P-256 or EC P-384");
}

SoftwareSigner::SoftwareSigner(EvpPkeyPtr private_key)
    : private_key_(std::move(private_key)),
      public_key_(public_key_copy(private_key_.get())),
      algorithm_(signature_algorithm_for(private_key_.get())) {}

Bytes SoftwareSigner::sign(ByteView message) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(algorithm_), nullptr,
                                   private_key_.get()) != 1)
        fail("sign init failed");
    size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
        fail("sign failed");
    Bytes signature(len);
    if (EVP_DigestSign(ctx.get(), signature.data(), &len, message.data(), message.size()) != 1)
        fail("sign failed");
    signature.resize(len);
    return signature;
}

Bytes OpenSslRandomSource::random(size_t n) {
    Bytes out(n);
    if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) fail("RAND_bytes failed");
    return out;
}

}  // namespace inkan::pki
