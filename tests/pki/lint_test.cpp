#include "pki/lint.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "pki/issuer.h"
#include "tests/pki/pki_test_support.h"

namespace inkan::pki {
namespace {

class PkiLint : public ::testing::Test {
  protected:
    std::string prepare_error(const IssuanceRequest& request) {
        try {
            issuer.prepare(request);
        } catch (const Error& e) {
            EXPECT_EQ(e.category(), ErrorCategory::InvalidInput) << e.what();
            return e.code();
        }
        return "accepted";
    }
    IssuanceRequest client_request() {
        return test::make_request(test::default_profile(5), key.get());
    }

    test::TestCa ca = test::make_test_ca(KeyType::EcP256, 3);
    CertificateIssuer issuer{ca.signer, ca.certificate.get(), test::test_issuer_options()};
    EvpPkeyPtr key = generate_key(KeyType::EcP256);
};

TEST_F(PkiLint, ValidRequestPasses) { EXPECT_EQ(prepare_error(client_request()), "accepted"); }

TEST_F(PkiLint, Rsa1024SubjectKeyIsRefused) {
    EvpPkeyPtr weak(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
    IssuanceRequest r = client_request();
    r.subject_public_key = weak.get();
    EXPECT_EQ(prepare_error(r), "lint_key_unsupported");
}

TEST_F(PkiLint, Secp256k1SubjectKeyIsRefused) {
    EvpPkeyPtr k1(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
    IssuanceRequest r = client_request();
    r.subject_public_key = k1.get();
    EXPECT_EQ(prepare_error(r), "lint_key_unsupported");
}

TEST_F(PkiLint, ZeroShortAndOverlongSerialsAreRefused) {
    IssuanceRequest r = client_request();
    r.serial = Bytes(16, 0);
    EXPECT_EQ(prepare_error(r), "lint_serial_invalid");
    r.serial = Bytes{0x01, 0x02, 0x03, 0x04};  // 32 bits: too little entropy
    EXPECT_EQ(prepare_error(r), "lint_serial_invalid");
    r.serial = Bytes(20, 0x42);
    r.serial[0] = 0x80;  // 20 octets but needs a 21st for the sign
    EXPECT_EQ(prepare_error(r), "lint_serial_invalid");
    r.serial[0] = 0x7F;
    EXPECT_EQ(prepare_error(r), "accepted");
}

TEST_F(PkiLint, ExplicitValidityBeyondIssuerIsRefusedButProfileValidityIsCapped) {
    IssuanceRequest r = client_request();  // profile 5: 52 months, CA lives 3 years
    PreparedCertificate capped = issuer.prepare(r);
    EXPECT_EQ(capped.not_after(), from_asn1_time(X509_get0_notAfter(ca.certificate.get())));
    r.not_after = capped.not_after() + std::chrono::seconds(1);
    EXPECT_EQ(prepare_error(r), "lint_validity_beyond_issuer");
    r.not_after = r.not_before - std::chrono::hours(1);
    EXPECT_EQ(prepare_error(r), "lint_validity_invalid");
    r.not_after.reset();
    r.not_before =
        from_asn1_time(X509_get0_notBefore(ca.certificate.get())) - std::chrono::hours(1);
    EXPECT_EQ(prepare_error(r), "lint_validity_beyond_issuer");
}

TEST_F(PkiLint, MaximumValidityFromOptionsIsEnforced) {
    IssuerOptions options = test::test_issuer_options();
    options.max_validity_days = 398;
    CertificateIssuer strict(ca.signer, ca.certificate.get(), options);
    IssuanceRequest r = client_request();
    r.profile = test::default_profile(14);  // 25 months
    try {
        strict.prepare(r);
        FAIL() << "validity over the maximum accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "lint_validity_too_long");
    }
}

TEST_F(PkiLint, EmptySubjectSmimeWithoutMailAndIssuerKeyReuseAreRefused) {
    IssuanceRequest r = client_request();
    r.subject.clear();
    EXPECT_EQ(prepare_error(r), "lint_subject_empty");

    IssuanceRequest smime = test::make_request(test::default_profile(7), key.get());
    smime.email_addresses.clear();
    EXPECT_EQ(prepare_error(smime), "lint_extension_missing");
    smime.email_addresses = {"not-an-address"};
    EXPECT_EQ(prepare_error(smime), "bad_san");

    IssuanceRequest reuse = client_request();
    reuse.subject_public_key = ca.signer.public_key();
    EXPECT_EQ(prepare_error(reuse), "lint_key_reused");
}

TEST_F(PkiLint, DisabledProfileIsRefused) {
    IssuanceRequest r = client_request();
    r.profile.enabled = false;
    EXPECT_EQ(prepare_error(r), "profile_disabled");
}

TEST_F(PkiLint, DuplicateExtensionIsFoundByTheLinter) {
    // Build a certificate by hand with two basicConstraints and lint it directly.
    PreparedCertificate good = issuer.prepare(client_request());
    IssuedCertificate issued = issuer.issue(std::move(good));
    X509Ptr copy(X509_dup(issued.certificate.get()));
    X509_EXTENSION* bc =
        X509_get_ext(copy.get(), X509_get_ext_by_NID(copy.get(), NID_basic_constraints, -1));
    ASSERT_EQ(X509_add_ext(copy.get(), bc, -1), 1);
    LintRules rules{ProfileKind::ClientAuth, true, true, 0};
    try {
        lint_certificate(copy.get(), ca.certificate.get(), rules);
        FAIL() << "duplicate extension passed the linter";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "lint_extension_duplicate");
    }
    EXPECT_NO_THROW(lint_certificate(issued.certificate.get(), ca.certificate.get(), rules));
}

TEST(PkiProfiles, DefaultTableMatchesTheService) {
    auto profiles = default_profiles();
    struct Expect {
        int id;
        ProfileKind kind;
        int months;
    };
    for (Expect e :
         {Expect{5, ProfileKind::ClientAuth, 52}, Expect{13, ProfileKind::ClientAuth, 13},
          Expect{14, ProfileKind::ClientAuth, 25}, Expect{7, ProfileKind::SMime, 27},
          Expect{15, ProfileKind::SMime, 13}, Expect{16, ProfileKind::SMime, 25}}) {
        auto p = find_profile(profiles, e.id);
        ASSERT_TRUE(p) << e.id;
        EXPECT_EQ(p->kind, e.kind) << e.id;
        EXPECT_EQ(p->validity_months, e.months) << e.id;
    }
    EXPECT_FALSE(find_profile(profiles, 4));  // SHA-1 profiles are retired
    EXPECT_FALSE(find_profile(profiles, 6));
}

}  // namespace
}  // namespace inkan::pki
