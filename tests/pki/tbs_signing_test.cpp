#include "pki/tbs_signing.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.h"
#include "pki/encoding.h"
#include "pki/issuer.h"
#include "pki/serial.h"
#include "tests/pki/pki_test_support.h"

namespace inkan::pki {
namespace {

using test::make_test_ca;

bool contains(const Bytes& haystack, const Bytes& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

// Signs with one key but claims another public key: the built-in check must catch it.
class LyingSigner : public Signer {
  public:
    LyingSigner()
        : real_(SoftwareSigner::generate(KeyType::EcP256)),
          claimed_(SoftwareSigner::generate(KeyType::EcP256)) {}
    EVP_PKEY* public_key() const override { return claimed_.public_key(); }
    SignatureAlgorithm algorithm() const override { return SignatureAlgorithm::EcdsaSha256; }
    Bytes sign(ByteView message) override { return real_.sign(message); }

  private:
    SoftwareSigner real_;
    SoftwareSigner claimed_;
};

// Like a PKCS#11 CKM_ECDSA token: produces raw r||s, converted with ecdsa_raw_to_der.
class RawEcdsaSigner : public Signer {
  public:
    RawEcdsaSigner() : inner_(SoftwareSigner::generate(KeyType::EcP384)) {}
    EVP_PKEY* public_key() const override { return inner_.public_key(); }
    SignatureAlgorithm algorithm() const override { return inner_.algorithm(); }
    Bytes sign(ByteView message) override {
        Bytes der = inner_.sign(message);
        const unsigned char* p = der.data();
        EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
        Bytes raw(96);
        BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 48);
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 48, 48);
        ++raw_signatures;
        return ecdsa_raw_to_der(raw);
    }
    int raw_signatures = 0;

  private:
    SoftwareSigner inner_;
};

TEST(PkiTbsSigning, AlgorithmIdentifiersFollowRfc5758And4055) {
    // sha256WithRSAEncryption with NULL parameters.
    EXPECT_EQ(hex_encode(algorithm_identifier_der(SignatureAlgorithm::RsaPkcs1Sha256)),
              "300d06092a864886f70d01010b0500");
    // ecdsa-with-SHA256 / SHA384, parameters absent.
    EXPECT_EQ(hex_encode(algorithm_identifier_der(SignatureAlgorithm::EcdsaSha256)),
              "300a06082a8648ce3d040302");
    EXPECT_EQ(hex_encode(algorithm_identifier_der(SignatureAlgorithm::EcdsaSha384)),
              "300a06082a8648ce3d040303");
}

TEST(PkiTbsSigning, EcdsaCertificateCarriesTheExactSignedTbsAndVerifies) {
    test::TestCa ca = make_test_ca(KeyType::EcP256);
    EXPECT_EQ(X509_verify(ca.certificate.get(), ca.signer.public_key()), 1);
    EXPECT_EQ(X509_get_signature_nid(ca.certificate.get()), NID_ecdsa_with_SHA256);
    // Re-encoding the parsed certificate's TBS gives back bytes contained in its DER.
    Bytes der = to_der(ca.certificate.get());
    Bytes tbs = encode_tbs(ca.certificate.get());
    EXPECT_TRUE(contains(der, tbs));
    EXPECT_TRUE(contains(tbs, algorithm_identifier_der(SignatureAlgorithm::EcdsaSha256)));
}

TEST(PkiTbsSigning, SignerReturningConvertedRawEcdsaSignatureWorks) {
    RawEcdsaSigner signer;
    X509Ptr cert(X509_new());
    X509NamePtr name = build_name({{"CN", "raw"}});
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
    X509_set_issuer_name(cert.get(), name.get());
    X509_set_subject_name(cert.get(), name.get());
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), signer.public_key());
    X509Ptr signed_cert = sign_certificate(cert.get(), signer);
    EXPECT_EQ(signer.raw_signatures, 1);
    EXPECT_EQ(X509_get_signature_nid(signed_cert.get()), NID_ecdsa_with_SHA384);
    EXPECT_EQ(X509_verify(signed_cert.get(), signer.public_key()), 1);
}

TEST(PkiTbsSigning, SignatureFromAnotherKeyIsCaughtBeforeReturning) {
    LyingSigner signer;
    X509Ptr cert(X509_new());
    X509NamePtr name = build_name({{"CN", "liar"}});
    X509_set_issuer_name(cert.get(), name.get());
    X509_set_subject_name(cert.get(), name.get());
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), signer.public_key());
    try {
        sign_certificate(cert.get(), signer);
        FAIL() << "a wrong signature was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "signature_verification_failed");
    }
}

TEST(PkiTbsSigning, RawSignatureOfOddLengthIsRefused) {
    EXPECT_THROW(ecdsa_raw_to_der(Bytes(63, 1)), Error);
}

}  // namespace
}  // namespace inkan::pki
