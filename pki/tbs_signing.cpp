#include "pki/tbs_signing.h"

#include <algorithm>

#include "common/error.h"
#include "common/openssl_ptr.h"
#include "pki/der.h"

namespace inkan::pki {

namespace {

[[noreturn]] void verification_failed(const std::string& what) {
    throw Error(
        ErrorCategory::Internal, "signature_verification_failed",
        what + " signature does not verify with the signer's public key: " + openssl_error_text());
}

int signature_nid(SignatureAlgorithm algorithm) {
    switch (algorithm) {
        case SignatureAlgorithm::RsaPkcs1Sha256:
            return NID_sha256WithRSAEncryption;
        case SignatureAlgorithm::EcdsaSha256:
            return NID_ecdsa_with_SHA256;
        case SignatureAlgorithm::EcdsaSha384:
            return NID_ecdsa_with_SHA384;
    }
    return NID_undef;
}

void set_algorithm(X509_ALGOR* alg, SignatureAlgorithm algorithm) {
    int param_type = algorithm == SignatureAlgorithm::RsaPkcs1Sha256 ? V_ASN1_NULL : V_ASN1_UNDEF;
    if (X509_ALGOR_set0(alg, OBJ_nid2obj(signature_nid(algorithm)), param_type, nullptr) != 1)
        openssl_fail("X509_ALGOR_set0 failed");
}

Bytes checked_signature(ByteView tbs_der, Signer& signer) {
    check_signer(signer);
    Bytes signature = signer.sign(tbs_der);
    if (signature.empty())
        throw Error(ErrorCategory::Internal, "signature_verification_failed", "empty signature");
    return signature;
}

// SEQUENCE { tbs, algorithm, BIT STRING signature } from the exact bytes signed.
Bytes assemble(ByteView tbs_der, const Signer& signer, ByteView signature) {
    Bytes alg = algorithm_identifier_der(signer.algorithm());
    return der::tlv(der::kSequence, {tbs_der, alg, der::bit_string(signature)});
}

Bytes sign_and_assemble(ByteView tbs_der, Signer& signer) {
    return assemble(tbs_der, signer, checked_signature(tbs_der, signer));
}

const EVP_MD* digest_of(SignatureAlgorithm algorithm) {
    return algorithm == SignatureAlgorithm::EcdsaSha384 ? EVP_sha384() : EVP_sha256();
}

// The signature over exactly `tbs` with the signer's public key (PKCS#1 v1.5 or
// DER ECDSA, as the signer returns it).
void verify_signature(ByteView tbs, ByteView signature, const Signer& signer) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest_of(signer.algorithm()), nullptr,
                                     signer.public_key()) != 1)
        openssl_fail("EVP_DigestVerifyInit failed");
    if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), tbs.data(), tbs.size()) !=
        1)
        verification_failed("certificate");
}

// TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, ... }
bool tbs_starts_with_algorithm(ByteView tbs, ByteView alg) {
    if (tbs.size() < 2 || tbs[0] != der::kSequence) return false;
    size_t pos = 2 + ((tbs[1] & 0x80) ? (tbs[1] & 0x7F) : 0);
    if (pos + 2 < tbs.size() && tbs[pos] == der::kInteger && tbs[pos + 1] < 0x80)
        pos += 2 + tbs[pos + 1];
    return pos + alg.size() <= tbs.size() &&
           std::equal(alg.begin(), alg.end(), tbs.begin() + static_cast<std::ptrdiff_t>(pos));
}

Bytes to_der_bytes(X509* cert) {
    return der::der_of([&](unsigned char** p) { return i2d_X509(cert, p); }, "certificate");
}

}  // namespace

Bytes algorithm_identifier_der(SignatureAlgorithm algorithm) {
    X509AlgorPtr alg(X509_ALGOR_new());
    if (!alg) openssl_fail("X509_ALGOR_new failed");
    set_algorithm(alg.get(), algorithm);
    return der::der_of([&](unsigned char** p) { return i2d_X509_ALGOR(alg.get(), p); },
                       "AlgorithmIdentifier");
}

void check_signer(const Signer& signer) {
    EVP_PKEY* key = signer.public_key();
    bool rsa_alg = signer.algorithm() == SignatureAlgorithm::RsaPkcs1Sha256;
    bool fits = key && (rsa_alg ? EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA
                                : EVP_PKEY_get_base_id(key) == EVP_PKEY_EC);
    if (!fits)
        throw Error(ErrorCategory::InvalidInput, "signer_algorithm_mismatch",
                    "the signer's algorithm does not fit its public key type");
}

void set_signature_algorithm(X509* cert, SignatureAlgorithm algorithm) {
    // OpenSSL 3.0 has no public setter for the TBS algorithm (hsm-facts.md).
    set_algorithm(const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert)), algorithm);
    const X509_ALGOR* outer = nullptr;
    X509_get0_signature(nullptr, &outer, cert);
    set_algorithm(const_cast<X509_ALGOR*>(outer), algorithm);
}

Bytes encode_tbs(X509* cert) {
    return der::der_of([&](unsigned char** p) { return i2d_re_X509_tbs(cert, p); },
                       "TBSCertificate");
}

X509Ptr sign_tbs_certificate(ByteView tbs_der, Signer& signer) {
    Bytes der = sign_and_assemble(tbs_der, signer);
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) openssl_fail("signed certificate does not parse");
    if (X509_verify(cert.get(), signer.public_key()) != 1) verification_failed("certificate");
    return cert;
}

Bytes sign_tbs_into(X509* cert, ByteView tbs_der, Signer& signer) {
    Bytes signature = checked_signature(tbs_der, signer);
    verify_signature(tbs_der, signature, signer);
    Bytes der = assemble(tbs_der, signer, signature);
    const ASN1_BIT_STRING* held = nullptr;
    X509_get0_signature(&held, nullptr, cert);
    auto* bits = const_cast<ASN1_BIT_STRING*>(held);  // no setter in OpenSSL 3.0
    if (ASN1_BIT_STRING_set(bits, signature.data(), static_cast<int>(signature.size())) != 1)
        openssl_fail("cannot set the signature");
    // All eight bits of the last octet are used (as ASN1_item_sign leaves it).
    bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    if (to_der_bytes(cert) != der)
        throw Error(ErrorCategory::Internal, "certificate_encoding_mismatch",
                    "the certificate does not encode to the bytes signed");
    return der;
}

X509Ptr sign_certificate(X509* cert, Signer& signer) {
    check_signer(signer);
    set_signature_algorithm(cert, signer.algorithm());
    Bytes tbs = encode_tbs(cert);
    return sign_tbs_certificate(tbs, signer);
}

X509ReqPtr sign_request(X509_REQ* req, Signer& signer) {
    Bytes tbs = der::der_of([&](unsigned char** p) { return i2d_re_X509_REQ_tbs(req, p); },
                            "CertificationRequestInfo");
    Bytes der = sign_and_assemble(tbs, signer);
    const unsigned char* p = der.data();
    X509ReqPtr signed_req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    if (!signed_req) openssl_fail("signed request does not parse");
    if (X509_REQ_verify(signed_req.get(), signer.public_key()) != 1) verification_failed("request");
    return signed_req;
}

X509CrlPtr new_crl_for_signer(const X509_NAME* issuer, SignatureAlgorithm algorithm) {
    // A minimal CRL parsed from DER carries the algorithm in its TBSCertList; the
    // rest is then filled in through the API.
    static const std::uint8_t kVersion2[] = {der::kInteger, 0x01, 0x01};
    Bytes alg = algorithm_identifier_der(algorithm);
    Bytes name = der::der_of(
        [&](unsigned char** p) { return i2d_X509_NAME(const_cast<X509_NAME*>(issuer), p); },
        "issuer");
    Asn1TimePtr now(ASN1_TIME_set(nullptr, 0));
    Bytes time =
        der::der_of([&](unsigned char** p) { return i2d_ASN1_TIME(now.get(), p); }, "time");
    Bytes tbs = der::tlv(der::kSequence, {kVersion2, alg, name, time});
    Bytes crl_der = der::tlv(der::kSequence, {tbs, alg, der::bit_string({})});
    const unsigned char* p = crl_der.data();
    X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl_der.size())));
    if (!crl) openssl_fail("cannot create CRL");
    return crl;
}

X509CrlPtr sign_crl(X509_CRL* crl, Signer& signer) {
    Bytes tbs =
        der::der_of([&](unsigned char** p) { return i2d_re_X509_CRL_tbs(crl, p); }, "TBSCertList");
    check_signer(signer);
    if (!tbs_starts_with_algorithm(tbs, algorithm_identifier_der(signer.algorithm())))
        throw Error(ErrorCategory::Internal, "signer_algorithm_mismatch",
                    "the CRL's TBS algorithm is not the signer's (use new_crl_for_signer)");
    Bytes der = sign_and_assemble(tbs, signer);
    const unsigned char* p = der.data();
    X509CrlPtr signed_crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
    if (!signed_crl) openssl_fail("signed CRL does not parse");
    if (X509_CRL_verify(signed_crl.get(), signer.public_key()) != 1) verification_failed("CRL");
    return signed_crl;
}

Bytes ecdsa_raw_to_der(ByteView raw) {
    if (raw.empty() || raw.size() % 2 != 0)
        throw Error(ErrorCategory::Internal, "bad_ecdsa_signature",
                    "raw ECDSA signature has odd length");
    size_t half = raw.size() / 2;
    EcdsaSigPtr sig(ECDSA_SIG_new());
    BignumPtr r(BN_bin2bn(raw.data(), static_cast<int>(half), nullptr));
    BignumPtr s(BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr));
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        openssl_fail("ECDSA_SIG_set0 failed");
    r.release();  // now owned by sig
    s.release();
    return der::der_of([&](unsigned char** p) { return i2d_ECDSA_SIG(sig.get(), p); },
                       "Ecdsa-Sig-Value");
}

}  // namespace inkan::pki
